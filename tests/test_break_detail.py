"""Every break says why: the differences and the tolerance or window that failed, amounts in
major units of their own currency. Runs the bundled fixtures through the real pipeline."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from fixture_copy import copy_fixtures

from recon.money import format_minor
from recon.pipeline import run_day

DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))


@pytest.fixture(scope="module")
def breaks(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    config = copy_fixtures(tmp_path_factory.mktemp("detail"))
    for day in DAYS:
        assert all(result.ok for result in run_day(config, day))
    return pl.read_parquet(config.data_dir / "partners" / "*" / "results" / "*" / "breaks.parquet")


def test_every_break_has_a_detail(breaks: pl.DataFrame) -> None:
    assert breaks.height > 20
    assert breaks.filter(pl.col("detail").is_null() | (pl.col("detail") == "")).is_empty()


def test_amount_mismatches_state_the_difference_and_the_tolerances(breaks: pl.DataFrame) -> None:
    rows = breaks.filter(pl.col("break_type") == "amount_mismatch").iter_rows(named=True)
    seen = 0
    for row in rows:
        difference = format_minor(row["partner_amount_minor"] - row["ledger_amount_minor"], row["currency"])
        assert row["detail"].startswith(f"amounts differ by {difference} {row['currency']} (partner ")
        assert "key_tolerance" in row["detail"]
        seen += 1
    assert seen >= 3


def test_date_currency_and_missing_details_name_what_failed(breaks: pl.DataFrame) -> None:
    for row in breaks.iter_rows(named=True):
        kind, detail = row["break_type"], row["detail"]
        if kind == "date_mismatch":
            assert f"value dates differ by {row['date_diff_days']} days" in detail
            assert "key rule windows exact_key -" in detail
        elif kind == "currency_mismatch":
            assert detail == (
                f"partner currency {row['partner_currency']}, ledger currency {row['ledger_currency']} "
                "for the same reference"
            )
        elif kind in ("missing_in_ledger", "missing_at_partner"):
            other = "ledger" if kind == "missing_in_ledger" else "partner"
            expected = (
                f"no {other} record with reference {row['reference']}" if row["reference"] else "no reference"
            )
            assert detail.startswith(expected), detail
            assert "amount_date" in detail
