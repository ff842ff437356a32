"""Runs of one partner are serialised, different partners run side by side: every partner asset
is in its partner's concurrency pool, and the instance settings (dagster_project/dagster.yaml)
limit each pool to one run in progress. Proved on a real instance with the queue daemon's own
decision of which queued runs to start."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType
from dagster._core.instance.config import PoolGranularity
from dagster._core.remote_origin import InProcessCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.storage.dagster_run import DagsterRunStatus
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon
from fixture_copy import FIXTURES

from dagster_project.definitions import build_definitions
from dagster_project.jobs import PARTNER_TAG, job_name, partner_pool
from dagster_project.resources import ReconResource
from recon.config import load_config

REPO = Path(__file__).resolve().parents[1]
PARTNERS = ("adyen_eu", "paypal_gb", "stripe_us")
LOCATION = InProcessCodeLocationOrigin(LoadableTargetOrigin(module_name="dagster_project.definitions"))


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return build_definitions(load_config(FIXTURES / "recon.yaml"), ReconResource())


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    """An instance on the settings `make dev` uses, in its own DAGSTER_HOME."""
    shutil.copyfile(REPO / "dagster_project" / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as real:
        yield real


def test_every_asset_of_a_partner_is_in_its_own_pool(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    pools: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        pool = definitions.resolve_assets_def(key).op.pool
        pools.setdefault(key.path[0], set()).add(str(pool))
    assert pools == {partner: {partner_pool(partner)} for partner in PARTNERS}
    assert len({partner_pool(partner) for partner in PARTNERS}) == len(PARTNERS)


def test_the_instance_limits_every_pool_to_one_run_in_progress(instance: dg.DagsterInstance) -> None:
    pools = instance.get_concurrency_config().pool_config
    assert (pools.pool_granularity, pools.default_pool_limit) == (PoolGranularity.RUN, 1)


def _queue(instance: dg.DagsterInstance, definitions: dg.Definitions, partner: str, backfill: bool) -> str:
    """A run queued as a schedule or sensor queues it (the partner's job, tagged with the partner),
    or as a backfill does (the partner's assets selected in the implicit asset job, untagged)."""
    selection = {
        key for key in definitions.resolve_asset_graph().get_all_asset_keys() if key.path[0] == partner
    }
    job_def = (
        definitions.resolve_implicit_job_def_def_for_assets(selection)
        if backfill
        else definitions.resolve_job_def(job_name(partner))
    )
    assert job_def is not None
    run = instance.create_run_for_job(
        job_def,
        status=DagsterRunStatus.QUEUED,
        tags={**job_def.run_tags, "dagster/partition": "2026-11-02"},
        asset_selection=selection if backfill else None,
        remote_job_origin=RemoteJobOrigin(RemoteRepositoryOrigin(LOCATION, "__repository__"), job_def.name),
    )
    assert (PARTNER_TAG in run.tags) != backfill
    return run.run_id


def _tick(instance: dg.DagsterInstance, names: dict[str, str]) -> list[str]:
    """The queued runs the queue daemon would start now (by name); each is then marked started."""
    daemon = QueuedRunCoordinatorDaemon(interval_seconds=1)
    started = daemon._get_runs_to_dequeue(instance, instance.get_concurrency_config(), None)
    for run in started:
        instance.handle_run_event(
            run.run_id, dg.DagsterEvent(DagsterEventType.RUN_START.value, job_name=run.job_name)
        )
    return sorted(names[run.run_id] for run in started)


def test_a_partners_runs_start_one_at_a_time_while_other_partners_run(
    instance: dg.DagsterInstance, definitions: dg.Definitions
) -> None:
    queued = {}
    for name, partner, backfill in (("adyen 1", "adyen_eu", False), ("adyen 2", "adyen_eu", False)):
        queued[_queue(instance, definitions, partner, backfill)] = name
    queued[_queue(instance, definitions, "stripe_us", False)] = "stripe 1"
    assert _tick(instance, queued) == ["adyen 1", "stripe 1"]

    for name, partner in (("adyen backfill", "adyen_eu"), ("stripe backfill", "stripe_us")):
        queued[_queue(instance, definitions, partner, backfill=True)] = name
    queued[_queue(instance, definitions, "paypal_gb", False)] = "paypal 1"
    assert _tick(instance, queued) == ["paypal 1"], "untagged runs wait for their partner's pool"

    first = next(run for run in instance.get_runs() if queued[run.run_id] == "adyen 1")
    instance.report_run_failed(first)
    assert _tick(instance, queued) == ["adyen 2"], "the next of the partner's runs, in the order queued"
    assert _tick(instance, queued) == []
