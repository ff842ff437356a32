"""Breaks across business days: carry-forward, lifecycle status and age, re-running a day.

Runs the bundled three days of fixtures in order through the real pipeline into a temporary
data directory and reads the published Parquet files back.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from fixture_copy import copy_fixtures

from recon.config import ReconConfig
from recon.open_breaks import open_breaks
from recon.pipeline import run_day
from recon.store import Layout

D2, D3, D4 = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)
LATE_LEDGER_RECORD = "ledger_2026-11-03.csv:32"  # ORD-40109 booked on D3, settled by Adyen on D4
OLD_LEDGER_RECORD = "ledger_2026-11-02.csv:35"  # ORD-40013 booked on D2, never settled
LATE_SETTLEMENT_LINE = (
    "NorthwindGroup;NorthwindEU;PSPRESENT0000001;ORD-40013;visa;2026-11-02 10:00:00;CET;Settled;"
    "MODRESENT000001;EUR;;99,00;1;EUR;;97,71;1,29;visastandardcredit;ORD-40013;512;2026-11-02 11:00:00;CET\n"
)


def _run_in_order(config: ReconConfig, days: tuple[date, ...] = (D2, D3, D4)) -> Layout:
    for day in days:
        results = run_day(config, day, partner_ids=["adyen_eu"])
        assert all(result.ok for result in results), [result.error for result in results]
    return Layout(config.data_dir)


def _result(layout: Layout, table: str, day: date) -> pl.DataFrame:
    return pl.read_parquet(layout.result(table, "adyen_eu", day))


def _open(layout: Layout, config: ReconConfig, day: date) -> pl.DataFrame:
    with duckdb.connect() as con:
        return open_breaks(con, layout, "adyen_eu", day, config.partner("adyen_eu").breaks)


@pytest.fixture(scope="module")
def three_days(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReconConfig, Layout]:
    config = copy_fixtures(tmp_path_factory.mktemp("lifecycle"))
    return config, _run_in_order(config)


def test_a_settlement_a_day_late_closes_its_break(three_days: tuple[ReconConfig, Layout]) -> None:
    config, layout = three_days
    on_d3 = _result(layout, "breaks", D3).filter(pl.col("record_id") == LATE_LEDGER_RECORD)
    assert on_d3.select("break_type", "status").rows() == [("missing_at_partner", "new")]

    resolved = _result(layout, "resolved", D4).filter(pl.col("record_id") == LATE_LEDGER_RECORD)
    assert resolved.select("break_id", "resolution", "matched_by_rule", "resolved_on").rows() == [
        (on_d3["break_id"][0], "resolved_by_match", "exact_key", D4)
    ]
    match = _result(layout, "matches", D4).filter(pl.col("ledger_record_id") == LATE_LEDGER_RECORD)
    assert match.select("partner_record_id", "rule", "date_diff_days").rows() == [
        ("settlement_detail_report_20261104.csv:2", "exact_key", 1)
    ]
    assert LATE_LEDGER_RECORD not in _open(layout, config, D4)["record_id"].to_list()


def test_a_break_open_for_three_days_is_persisting_with_age_two(
    three_days: tuple[ReconConfig, Layout],
) -> None:
    config, layout = three_days
    first = _result(layout, "breaks", D2).filter(pl.col("record_id") == OLD_LEDGER_RECORD)
    assert first.select("status", "age_days").rows() == [("new", 0)]
    for day, age in ((D3, 1), (D4, 2)):
        row = _open(layout, config, day).filter(pl.col("record_id") == OLD_LEDGER_RECORD)
        assert row.select(
            "break_id", "status", "first_seen", "last_seen", "age_days", "age_bucket"
        ).rows() == [(first["break_id"][0], "persisting", D2, day, age, "0-1" if age <= 1 else "2-7")]


def test_an_item_is_pending_until_its_grace_period_ends(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path, adyen_eu={"breaks": {"grace_days": {"missing_at_partner": 1}}})
    layout = _run_in_order(config)
    statuses = [
        _open(layout, config, day).filter(pl.col("record_id") == OLD_LEDGER_RECORD)["status"].to_list()
        for day in (D2, D3, D4)
    ]
    assert statuses == [["pending"], ["new"], ["persisting"]]
    summary = _result(layout, "summary", D2).filter(pl.col("currency") == "EUR")
    assert summary["pending_items"][0] >= 1


def test_rerunning_an_earlier_day_recomputes_the_later_days_in_order(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path / "rerun")
    layout = _run_in_order(config)
    assert OLD_LEDGER_RECORD in _open(layout, config, D4)["record_id"].to_list()

    settlement = tmp_path / "rerun" / "landing" / "adyen_eu" / "settlement_detail_report_20261102.csv"
    settlement.write_text(settlement.read_text(encoding="utf-8") + LATE_SETTLEMENT_LINE, encoding="utf-8")
    rerun = run_day(config, D2, partner_ids=["adyen_eu"])
    assert [(result.business_date, result.ok) for result in rerun] == [(D2, True), (D3, True), (D4, True)]
    assert OLD_LEDGER_RECORD in _result(layout, "matches", D2)["ledger_record_id"].to_list()
    assert OLD_LEDGER_RECORD not in _open(layout, config, D4)["record_id"].to_list()

    fresh_config = copy_fixtures(tmp_path / "fresh")
    fresh_settlement = tmp_path / "fresh" / "landing" / "adyen_eu" / settlement.name
    fresh_settlement.write_bytes(settlement.read_bytes())
    fresh = _run_in_order(fresh_config)
    for day in (D3, D4):
        folder = layout.result("carry", "adyen_eu", day).parent
        fresh_folder = fresh.result("carry", "adyen_eu", day).parent
        assert sorted(path.name for path in folder.iterdir()) == sorted(
            path.name for path in fresh_folder.iterdir()
        )
        for path in folder.iterdir():
            assert path.read_bytes() == (fresh_folder / path.name).read_bytes(), f"{path} differs"


def test_a_day_cannot_run_before_its_previous_day(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    _run_in_order(config, (D2,))
    results = run_day(config, D4, partner_ids=["adyen_eu"])
    assert not results[0].ok
    assert "2026-11-03 has not been reconciled" in results[0].error
