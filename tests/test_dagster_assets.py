"""Dagster runs of the assets, executed in process on the bundled fixtures: files on disk,
materialisation metadata, and each check passing and failing when it should."""

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from fixture_copy import FIXTURES, copy_fixtures

from dagster_project.assets import build_partner_assets
from dagster_project.checks import BALANCE, MATCH_RATE, QUARANTINE_SHARE, VALUE_AT_RISK, balance_check
from dagster_project.metadata import markdown_text
from dagster_project.resources import ReconResource
from recon.balance import balance_statement
from recon.config import ReconConfig, load_config
from recon.open_breaks import open_breaks
from recon.pipeline import PUBLISHED, run_day
from recon.schema import SIDES
from recon.sql import quote
from recon.store import Layout

PARTNERS = ("adyen_eu", "stripe_us", "paypal_gb")
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))
TABLES = (*PUBLISHED, "summary")


def materialize(
    config: ReconConfig,
    business_date: date,
    partner_id: str,
    data_dir: Path | None = None,
    raise_on_error: bool = True,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """One partner-day through Dagster on a fresh instance, the resource reading `config`'s file."""
    assert config.config_path is not None
    resource = ReconResource(
        config_path=str(config.config_path), data_dir=str(data_dir) if data_dir else None
    )
    return dg.materialize(
        build_partner_assets(config, partner_id),
        resources={"recon": resource},
        partition_key=str(business_date),
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=raise_on_error,
    )


def materialization(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, dg.MetadataValue]:
    """Metadata of `asset` (e.g. `reconciliation`) materialised by a one-partner run."""
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == asset]
    return event.materialization.metadata


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()}


Runs = dict[tuple[date, str], dg.ExecuteInProcessResult]


@pytest.fixture(scope="module")
def fixture_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReconConfig, Layout, Runs]:
    """Every partner and day of the fixtures, materialised in date order into a data directory
    given to the resource (overriding the configuration's)."""
    config = copy_fixtures(tmp_path_factory.mktemp("dagster_runs"))
    data_dir = config.data_dir.parent / "dagster_data"
    runs = {
        (day, partner): materialize(config, day, partner, data_dir) for day in DAYS for partner in PARTNERS
    }
    return config, Layout(data_dir), runs


def test_every_partition_publishes_its_results(fixture_runs) -> None:
    config, layout, runs = fixture_runs
    for (day, partner), result in runs.items():
        assert result.success
        folder = layout.result("matches", partner, day).parent
        for table in ("matches", "breaks", "balance", "quarantine", "summary"):
            assert (folder / f"{table}.parquet").is_file(), f"{folder / table}.parquet missing after the run"
    assert not config.data_dir.exists(), "the resource's data_dir must replace the configured one"


def test_dagster_outputs_equal_the_library_pipeline(fixture_runs, tmp_path: Path) -> None:
    """The assets add nothing of their own: the command line's pipeline writes the same tables."""
    config, ours, _runs = fixture_runs
    for day in DAYS:
        run_day(config, day, data_dir=tmp_path)
    theirs = Layout(tmp_path)
    for day in DAYS:
        for partner in PARTNERS:
            for table in TABLES:
                expected = pl.read_parquet(theirs.result(table, partner, day))
                actual = pl.read_parquet(ours.result(table, partner, day))
                assert actual.equals(expected), f"{table} of {partner} {day} differs from run_day's"


def test_reconciliation_metadata(fixture_runs) -> None:
    config, layout, runs = fixture_runs
    day, partner = DAYS[-1], "stripe_us"
    metadata = materialization(runs[(day, partner)], "reconciliation")
    breaks = pl.read_parquet(layout.result("breaks", partner, day))
    assert metadata["dagster/row_count"].value == breaks.height
    assert [column.name for column in metadata["dagster/column_schema"].value.columns] == breaks.columns
    matches = pl.read_parquet(layout.result("matches", partner, day))
    assert [column.name for column in metadata["matches_schema"].value.columns] == matches.columns
    assert metadata["matched_pairs"].value == matches.height
    assert 0 < metadata["match_rate"].value < 1
    assert sum(metadata["breaks_by_type"].value.values()) > 0
    assert "USD" in metadata["value_at_risk"].value
    checks = metadata["checks"].value.splitlines()
    assert checks[0] == "| check | outcome | detail |"
    assert checks[2].startswith(f"| balance | passed | {markdown_text(f'{partner} {day}: balanced')}")
    largest = metadata["largest_open_breaks"].value.splitlines()
    assert largest[0].startswith("| break_id | break_type |")
    with duckdb.connect() as con:
        still_open = open_breaks(con, layout, partner, day, config.partner(partner).breaks)
    assert largest[2].split(" | ")[0].removeprefix("| ") in set(still_open["break_id"])


def test_ingest_and_summary_metadata(fixture_runs) -> None:
    _config, layout, runs = fixture_runs
    day, partner = DAYS[0], "adyen_eu"
    for asset, side in (("partner_settlements", "partner"), ("ledger_entries", "ledger")):
        metadata = materialization(runs[(day, partner)], asset)
        records = pl.read_parquet(layout.canonical(side, partner, day))
        assert metadata["dagster/row_count"].value == records.height
        assert [column.name for column in metadata["dagster/column_schema"].value.columns] == records.columns
        assert len(metadata["source_sha256"].value) == 64
    summary = materialization(runs[(day, partner)], "daily_summary")
    published = pl.read_parquet(layout.result("summary", partner, day))
    assert summary["dagster/row_count"].value == published.height
    assert len(summary["summary"].value.records) == published.height


def test_checks_pass_on_the_fixtures_with_lenient_thresholds(tmp_path: Path) -> None:
    lenient = {
        "checks": {"min_match_rate": "0.5", "max_value_at_risk": "100000", "max_quarantine_share": "0.2"}
    }
    result = materialize(copy_fixtures(tmp_path, adyen_eu=lenient), DAYS[0], "adyen_eu")
    passed = {name: check.passed for name, check in check_results(result).items()}
    assert passed == {BALANCE: True, MATCH_RATE: True, VALUE_AT_RISK: True, QUARANTINE_SHARE: True}


def test_match_rate_and_value_at_risk_warn_without_stopping_the_run(tmp_path: Path) -> None:
    strict = {"checks": {"min_match_rate": "1.0", "max_value_at_risk": "0", "max_quarantine_share": "0.2"}}
    result = materialize(copy_fixtures(tmp_path, adyen_eu=strict), DAYS[0], "adyen_eu")
    checks = check_results(result)
    assert checks[BALANCE].passed
    for name in (MATCH_RATE, VALUE_AT_RISK):
        assert not checks[name].passed
        assert checks[name].severity == dg.AssetCheckSeverity.WARN
    assert "minimum 100.0%" in (checks[MATCH_RATE].description or "")
    assert "EUR" in (checks[VALUE_AT_RISK].description or "")
    assert result.success
    assert materialization(result, "daily_summary")


def test_one_partners_failed_check_is_not_hidden_by_anothers_pass(tmp_path: Path) -> None:
    """Each partner's checks are its own: the latest evaluation of a failing partner stays visible
    after another partner passes the same check on the same instance."""
    strict = {"checks": {"min_match_rate": "1.0", "max_value_at_risk": "0", "max_quarantine_share": "0.2"}}
    lenient = {
        "checks": {"min_match_rate": "0.5", "max_value_at_risk": "100000", "max_quarantine_share": "0.2"}
    }
    config = copy_fixtures(tmp_path, adyen_eu=strict, stripe_us=lenient)
    instance = dg.DagsterInstance.ephemeral()
    for partner in ("adyen_eu", "stripe_us"):
        assert materialize(config, DAYS[0], partner, instance=instance).success
    latest = {
        partner: instance.get_latest_asset_check_evaluation_record(
            dg.AssetCheckKey(dg.AssetKey([partner, "reconciliation"]), MATCH_RATE)
        )
        for partner in ("adyen_eu", "stripe_us")
    }
    outcomes = {}
    for partner, record in latest.items():
        assert record is not None and record.event is not None
        evaluation = record.event.dagster_event.event_specific_data
        outcomes[partner] = (evaluation.passed, (evaluation.description or "").split(":")[0])
    assert outcomes == {
        "adyen_eu": (False, f"adyen_eu {DAYS[0]}"),
        "stripe_us": (True, f"stripe_us {DAYS[0]}"),
    }


def test_quarantine_over_the_partners_share_fails_and_blocks_the_summary(tmp_path: Path) -> None:
    """The fixtures' files have a malformed row or two: with no quarantine allowed the day's
    results are published and the check fails with recon's one line, stopping the summary."""
    none_allowed = {"checks": {"max_quarantine_share": "0"}}
    result = materialize(
        copy_fixtures(tmp_path, adyen_eu=none_allowed), DAYS[0], "adyen_eu", raise_on_error=False
    )
    check = check_results(result)[QUARANTINE_SHARE]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    description = check.description or ""
    assert description.startswith(f"adyen_eu {DAYS[0]}: ") and "(checks.max_quarantine_share)" in description
    assert "\n" not in description
    assert materialization(result, "reconciliation")
    assert not [
        e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == "daily_summary"
    ]


def test_balance_check_fails_on_a_statement_that_lost_a_matched_pair(fixture_runs, tmp_path: Path) -> None:
    """A real statement from recon.balance over day one's published outputs, then over the same
    outputs with one matched pair dropped. Day one carries nothing in, so the day's canonical
    records are the whole input and no carried item is left unchanged; the first assertion
    proves the inputs are rebuilt as the pipeline builds them."""
    _config, layout, _runs = fixture_runs
    day, partner = DAYS[0], "adyen_eu"
    matches, breaks = layout.result("matches", partner, day), layout.result("breaks", partner, day)
    short = tmp_path / "matches.parquet"
    pl.read_parquet(matches).slice(1).write_parquet(short)
    with duckdb.connect() as con:
        for side in SIDES:
            records = quote(str(layout.canonical(side, partner, day)))
            con.execute(
                f"CREATE VIEW {side}_in AS SELECT *, DATE '{day}' AS first_seen FROM read_parquet({records})"
            )
        quarantine = [pl.read_parquet(layout.canonical_quarantine(side, partner, day)) for side in SIDES]
        con.register("quarantine_in", pl.concat(quarantine))
        con.execute("CREATE TABLE unchanged_members (side VARCHAR, record_id VARCHAR)")
        published = balance_statement(con, partner, day.isoformat(), matches, breaks)
        lost_pair = balance_statement(con, partner, day.isoformat(), short, breaks)
    assert published.equals(pl.read_parquet(layout.result("balance", partner, day)))
    assert balance_check(published, "adyen_eu 2026-11-02").passed
    failed = balance_check(lost_pair, "adyen_eu 2026-11-02")
    assert not failed.passed
    assert failed.severity == dg.AssetCheckSeverity.ERROR
    assert (failed.description or "").startswith("adyen_eu 2026-11-02: does not balance: ledger ")


def test_only_the_balance_check_blocks() -> None:
    assets = build_partner_assets(load_config(FIXTURES / "recon.yaml"), "adyen_eu")
    (reconciliation,) = [a for a in assets if a.key == dg.AssetKey(["adyen_eu", "reconciliation"])]
    blocking = {spec.name: spec.blocking for spec in reconciliation.check_specs}
    assert blocking == {BALANCE: True, MATCH_RATE: False, VALUE_AT_RISK: False, QUARANTINE_SHARE: True}


def test_a_missing_file_fails_the_step_with_its_one_line_message(tmp_path: Path) -> None:
    result = materialize(copy_fixtures(tmp_path), date(2026, 11, 5), "adyen_eu", raise_on_error=False)
    assert not result.success
    failures = [event.step_failure_data.user_failure_data for event in result.get_step_failure_events()]
    assert failures, "expected a failed step"
    for failure in failures:
        assert failure is not None
        assert failure.description.endswith(": file not found"), failure.description
        assert "\n" not in failure.description
    assert not result.get_asset_materialization_events()
