"""The code location loads as `dagster dev` loads it, from RECON_CONFIG or the bundled fixtures."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml
from fixture_copy import FIXTURES

from dagster_project.definitions import defs
from recon.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def partitions_of(definitions: dg.Definitions, partner: str) -> dg.TimeWindowPartitionsDefinition:
    partitions = definitions.resolve_assets_def(dg.AssetKey([partner, "reconciliation"])).partitions_def
    assert isinstance(partitions, dg.TimeWindowPartitionsDefinition)
    return partitions


def partners_of(definitions: dg.Definitions) -> list[str]:
    keys = definitions.resolve_asset_graph().get_all_asset_keys()
    return sorted({key.path[0] for key in keys if key.path[-1] == "reconciliation"})


def test_workspace_validates(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "RECON_CONFIG"}
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        env={**env, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "All code locations passed validation" in completed.stderr + completed.stdout


def test_bundled_configuration_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECON_CONFIG", raising=False)
    definitions = defs()
    assert partners_of(definitions) == ["adyen_eu", "paypal_gb", "stripe_us"]
    assert partitions_of(definitions, "stripe_us").get_first_partition_key() == "2026-11-01"
    assert Path(definitions.resources["recon"].config_path) == FIXTURES / "recon.yaml"


def test_recon_config_names_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))
    del raw["partners"]["paypal_gb"]
    raw["orchestration"] = {"first_business_date": "2026-11-02", "schedule_timezone": "Europe/London"}
    (tmp_path / "recon.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("RECON_CONFIG", str(tmp_path / "recon.yaml"))
    definitions = defs()
    assert partners_of(definitions) == ["adyen_eu", "stripe_us"]
    assert partitions_of(definitions, "stripe_us").get_first_partition_key() == "2026-11-02"
    schedule = definitions.resolve_schedule_def("daily_reconciliation_stripe_us")
    assert schedule.execution_timezone == "Europe/London"
    assert definitions.resources["recon"].config_path == dg.EnvVar("RECON_CONFIG")


def test_a_bad_configuration_stops_loading_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECON_CONFIG", str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match=r"missing\.yaml: configuration file not found"):
        defs()


def previous_of(definitions: dg.Definitions, partner: str, day: str) -> list[str]:
    """The partitions of `partner`'s reconciliation that its partition `day` depends on."""
    key = dg.AssetKey([partner, "reconciliation"])
    mapping = definitions.resolve_assets_def(key).get_partition_mapping(key)
    partitions = partitions_of(definitions, partner)
    upstream = mapping.get_upstream_mapped_partitions_result_for_partitions(
        partitions.subset_with_partition_keys([day]), partitions, partitions
    )
    return list(upstream.partitions_subset.get_partition_keys())


def test_reconciliation_waits_for_the_same_partners_previous_day() -> None:
    definitions = defs()
    assert previous_of(definitions, "stripe_us", "2026-11-03") == ["2026-11-02"]
    assert previous_of(definitions, "stripe_us", "2026-11-01") == []


def test_partitions_follow_each_partners_calendar_and_first_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A weekday partner with a holiday and its own first day: only its business days are
    partitions, from that day, and each depends on the previous business day."""
    raw = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))
    raw["partners"]["paypal_gb"]["calendar"] = {"days": "weekdays", "holidays": ["2026-11-11"]}
    raw["partners"]["paypal_gb"]["first_business_date"] = "2026-11-03"
    (tmp_path / "recon.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("RECON_CONFIG", str(tmp_path / "recon.yaml"))
    definitions = defs()
    weekdays = partitions_of(definitions, "paypal_gb").get_partition_keys()
    assert weekdays[:9] == [
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
        "2026-11-06",
        "2026-11-09",
        "2026-11-10",
        "2026-11-12",
        "2026-11-13",
        "2026-11-16",
    ]
    assert previous_of(definitions, "paypal_gb", "2026-11-09") == ["2026-11-06"]
    assert previous_of(definitions, "paypal_gb", "2026-11-12") == ["2026-11-10"]
    assert previous_of(definitions, "paypal_gb", "2026-11-03") == []
    every_day = partitions_of(definitions, "stripe_us").get_partition_keys()
    assert every_day[:3] == ["2026-11-01", "2026-11-02", "2026-11-03"] and "2026-11-07" in every_day


def test_a_partner_id_with_a_dash_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Partner ids may hold '-', which Dagster group and job names may not."""
    raw = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))
    raw["partners"]["paypal-gb"] = raw["partners"].pop("paypal_gb")
    (tmp_path / "recon.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("RECON_CONFIG", str(tmp_path / "recon.yaml"))
    definitions = defs()
    assert partners_of(definitions) == ["adyen_eu", "paypal-gb", "stripe_us"]
    job = definitions.resolve_job_def("paypal_gb_day")
    assert dg.AssetKey(["paypal-gb", "reconciliation"]) in job.asset_layer.executable_asset_keys
