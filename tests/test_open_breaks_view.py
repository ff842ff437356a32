"""The `open_breaks` view holds, for every reconciled day, the complete open set with lifecycle
recomputed for that day: the same rows as recon.open_breaks.open_breaks, for every partner-day."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest
from fixture_copy import copy_fixtures

from recon.config import ReconConfig
from recon.money import format_minor
from recon.open_breaks import largest_open_breaks, open_breaks
from recon.pipeline import run_day
from recon.store import Layout

DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))


@pytest.fixture(scope="module")
def reconciled(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReconConfig, Layout]:
    config = copy_fixtures(
        tmp_path_factory.mktemp("open_view"), stripe_us={"breaks": {"grace_days": {"missing_at_partner": 1}}}
    )
    for day in DAYS:
        assert all(result.ok for result in run_day(config, day))
    return config, Layout(config.data_dir)


def _view(layout: Layout) -> pl.DataFrame:
    with duckdb.connect(str(layout.database), read_only=True) as con:
        return con.sql("SELECT * FROM open_breaks").pl()


@pytest.mark.parametrize("day", DAYS)
def test_the_view_equals_the_open_set_of_each_partner_day(reconciled, day: date) -> None:
    config, layout = reconciled
    view = _view(layout)
    for partner_id, partner in config.partners.items():
        with duckdb.connect() as con:
            expected = open_breaks(con, layout, partner_id, day, partner.breaks)
        got = view.filter((pl.col("partner") == partner_id) & (pl.col("as_of") == day))
        got = got.select(expected.columns)
        assert got.height == expected.height > 0
        assert got.sort("side", "record_id").equals(expected.sort("side", "record_id")), (partner_id, day)


def test_statuses_are_as_of_the_day_not_as_written(reconciled) -> None:
    _config, layout = reconciled
    view = _view(layout)
    later = view.filter(pl.col("as_of") == DAYS[-1])
    assert set(later["status"]) >= {"new", "persisting"}
    first_day = later.filter(pl.col("first_seen") == DAYS[0])
    assert first_day.height and (first_day["age_days"] == 2).all()


def test_amounts_read_in_major_units_of_their_currency(reconciled) -> None:
    _config, layout = reconciled
    for row in _view(layout).drop_nulls("partner_amount_minor").iter_rows(named=True):
        expected = (
            f"{format_minor(row['partner_amount_minor'], row['partner_currency'])} {row['partner_currency']}"
        )
        assert row["partner_amount"] == expected


def test_the_largest_open_breaks_are_ranked_within_each_currency(reconciled) -> None:
    config, layout = reconciled
    for partner_id, partner in config.partners.items():
        with duckdb.connect() as con:
            every = open_breaks(con, layout, partner_id, DAYS[-1], partner.breaks)
            top = largest_open_breaks(con, layout, partner_id, DAYS[-1], partner.breaks, 1)
        open_now = every.filter(pl.col("status") != "pending").filter(
            pl.col("keyed") if "keyed" in every.columns else True
        )
        largest = open_now.group_by("currency").agg(
            pl.max_horizontal(pl.col("partner_amount_minor").abs(), pl.col("ledger_amount_minor").abs())
            .max()
            .alias("amount")
        )
        assert sorted(top["currency"]) == sorted(largest["currency"]) and len(set(top["currency"])) > 1
        for row in top.iter_rows(named=True):
            assert (
                row["amount_minor"] == largest.filter(pl.col("currency") == row["currency"])["amount"].item()
            )
