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
from dagster_project.partitions import DATE, PARTNER
from recon.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def partitions_of(definitions: dg.Definitions) -> dg.MultiPartitionsDefinition:
    partitions = definitions.resolve_assets_def("reconciliation").partitions_def
    assert isinstance(partitions, dg.MultiPartitionsDefinition)
    return partitions


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
    partitions = partitions_of(definitions)
    assert partitions.get_partitions_def_for_dimension(PARTNER).get_partition_keys() == [
        "adyen_eu",
        "paypal_gb",
        "stripe_us",
    ]
    assert partitions.get_partitions_def_for_dimension(DATE).get_first_partition_key() == "2026-11-01"
    assert Path(definitions.resources["recon"].config_path) == FIXTURES / "recon.yaml"


def test_recon_config_names_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))
    del raw["partners"]["paypal_gb"]
    raw["orchestration"] = {"first_business_date": "2026-11-02", "schedule_timezone": "Europe/London"}
    (tmp_path / "recon.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("RECON_CONFIG", str(tmp_path / "recon.yaml"))
    definitions = defs()
    partitions = partitions_of(definitions)
    assert partitions.get_partitions_def_for_dimension(PARTNER).get_partition_keys() == [
        "adyen_eu",
        "stripe_us",
    ]
    assert partitions.get_partitions_def_for_dimension(DATE).get_first_partition_key() == "2026-11-02"
    assert definitions.resolve_schedule_def("daily_reconciliation").execution_timezone == "Europe/London"
    assert definitions.resources["recon"].config_path == dg.EnvVar("RECON_CONFIG")


def test_a_bad_configuration_stops_loading_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECON_CONFIG", str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match=r"missing\.yaml: configuration file not found"):
        defs()


def test_reconciliation_waits_for_the_same_partners_previous_day() -> None:
    reconciliation = defs().resolve_assets_def("reconciliation")
    partitions = partitions_of(defs())
    mapping = reconciliation.get_partition_mapping(dg.AssetKey("reconciliation"))
    upstream = mapping.get_upstream_mapped_partitions_result_for_partitions(
        partitions.subset_with_partition_keys(["2026-11-03|stripe_us"]), partitions, partitions
    )
    assert list(upstream.partitions_subset.get_partition_keys()) == ["2026-11-02|stripe_us"]
    first = mapping.get_upstream_mapped_partitions_result_for_partitions(
        partitions.subset_with_partition_keys(["2026-11-01|stripe_us"]), partitions, partitions
    )
    assert list(first.partitions_subset.get_partition_keys()) == []
