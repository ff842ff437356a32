"""Days reconciled by the command line show in Dagster: the published_results sensor, evaluated
against a real instance after real `run_day` runs."""

from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from fixture_copy import copy_fixtures

from dagster_project.definitions import build_definitions
from dagster_project.resources import ReconResource
from recon.config import ReconConfig
from recon.pipeline import Redelivery, run_day
from recon.skips import skip_day
from recon.store import Layout

DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))
PARTNERS = ("adyen_eu", "paypal_gb", "stripe_us")
ASSETS = ("partner_settlements", "ledger_entries", "reconciliation", "daily_summary")


class Synced:
    """One instance, and the sensor's ticks recorded on it as the daemon records them."""

    def __init__(self, config: ReconConfig) -> None:
        self.config = config
        self.resource = ReconResource(config_path=str(config.config_path))
        self.defs = build_definitions(config, self.resource)
        self.sensor = self.defs.resolve_sensor_def("published_results")
        self.instance = dg.DagsterInstance.ephemeral()
        self.cursor: str | None = None

    def tick(self) -> list[str]:
        """`asset|partition` of each materialisation reported; every event is stored."""
        context = dg.build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            resources={"recon": self.resource},
            definitions=self.defs,
        )
        data = self.sensor.evaluate_tick(context)
        self.cursor = data.cursor
        for event in data.asset_events:
            self.instance.report_runless_asset_event(event)
        return [
            f"{event.asset_key.to_user_string()}|{event.partition}"
            for event in data.asset_events
            if isinstance(event, dg.AssetMaterialization)
        ]

    def latest_metadata(self, partner: str, asset: str, day: date) -> dict[str, dg.MetadataValue]:
        latest = dg.AssetRecordsFilter(asset_key=dg.AssetKey([partner, asset]), asset_partitions=[str(day)])
        (record,) = self.instance.fetch_materializations(latest, limit=1).records
        assert record.asset_materialization is not None
        return dict(record.asset_materialization.metadata)


@pytest.fixture
def synced(tmp_path: Path) -> Synced:
    strict = {"checks": {"min_match_rate": "1.0", "max_quarantine_share": "0.2"}}
    lenient = {
        "checks": {"min_match_rate": "0.5", "max_value_at_risk": "100000", "max_quarantine_share": "0.2"}
    }
    config = copy_fixtures(tmp_path, adyen_eu=strict, stripe_us=lenient)
    for day in DAYS:
        run_day(config, day)
    return Synced(config)


def test_days_reconciled_by_the_cli_show_as_materialised(synced: Synced) -> None:
    reported = synced.tick()
    assert sorted(reported) == sorted(
        f"{partner}/{asset}|{day}" for partner in PARTNERS for asset in ASSETS for day in DAYS
    )
    for partner in PARTNERS:
        for asset in ASSETS:
            materialized = synced.instance.get_materialized_partitions(dg.AssetKey([partner, asset]))
            assert materialized == {str(day) for day in DAYS}, f"{partner}/{asset}"
    metadata = synced.latest_metadata("stripe_us", "reconciliation", DAYS[-1])
    assert metadata["matched_pairs"].value > 0
    assert "| balance | passed |" in metadata["checks"].value
    assert synced.latest_metadata("stripe_us", "daily_summary", DAYS[-1])["dagster/row_count"].value > 0
    assert synced.tick() == [], "files already reported are not reported again"


def test_check_outcomes_of_cli_days_are_reported_per_partner(synced: Synced) -> None:
    synced.tick()
    outcomes = {}
    for partner in ("adyen_eu", "stripe_us"):
        key = dg.AssetCheckKey(dg.AssetKey([partner, "reconciliation"]), "match_rate")
        record = synced.instance.get_latest_asset_check_evaluation_record(key)
        assert record is not None and record.event is not None and record.event.dagster_event is not None
        evaluation = record.event.dagster_event.event_specific_data
        outcomes[partner] = (evaluation.passed, evaluation.metadata["business_date"].value)
    assert outcomes == {"adyen_eu": (False, str(DAYS[-1])), "stripe_us": (True, str(DAYS[-1]))}


def test_a_day_rerun_by_the_cli_is_reported_again_and_a_dagster_run_is_not(synced: Synced) -> None:
    synced.tick()
    run_day(synced.config, DAYS[-1], ["stripe_us"], redelivery=Redelivery(rerun=True))
    assert sorted(synced.tick()) == sorted(f"stripe_us/{asset}|{DAYS[-1]}" for asset in ASSETS)
    key = dg.AssetCheckKey(dg.AssetKey(["stripe_us", "reconciliation"]), "balance")
    history = synced.instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
    assert len(history) == len(DAYS) + 1, "each report of a day adds its evaluation"
    job = synced.defs.resolve_job_def("paypal_gb_day")
    assert job.execute_in_process(instance=synced.instance, partition_key=str(DAYS[-1])).success
    assert synced.tick() == []


def test_a_skipped_day_shows_as_reconciled_with_its_reason(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    run_day(config, DAYS[0], ["stripe_us"])
    skip_day(config, Layout(config.data_dir), "stripe_us", DAYS[1], "bank holiday", "ops@example")
    synced = Synced(config)
    assert f"stripe_us/reconciliation|{DAYS[1]}" in synced.tick()
    reconciled = synced.instance.get_materialized_partitions(dg.AssetKey(["stripe_us", "reconciliation"]))
    assert reconciled == {str(DAYS[0]), str(DAYS[1])}
    metadata = synced.latest_metadata("stripe_us", "reconciliation", DAYS[1])
    assert (metadata["skipped"].value, metadata["skipped_by"].value) == ("bank holiday", "ops@example")
    assert synced.tick() == []
