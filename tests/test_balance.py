"""The balance statement: per side and currency, rows and money in = matched + in breaks + quarantined.

The bundled fixtures are reconciled over three days. Every published statement must hold and
agree with the published matches, breaks, quarantine and canonical records. On a partner's first
day these explain the statement exactly; later days also count the carried items that took part,
and a carried break that stays unchanged remains in the file of the day it was decided, so there
the day's files give lower bounds. Then one row is removed from a real matches file and the
statement is recomputed over the same input views the pipeline builds: it must fail, naming the
side and currency that no longer balance.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from recon.balance import assert_balanced, balance_statement
from recon.carry import carried_state
from recon.config import ReconConfig, load_config
from recon.day_inputs import day_inputs
from recon.errors import BalanceError
from recon.pipeline import _input_views, run_day
from recon.schema import SIDES
from recon.store import Layout

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))
UNITS = [(partner, day) for partner in ("adyen_eu", "paypal_gb", "stripe_us") for day in DAYS]
KEY = ["side", "currency"]


@pytest.fixture(scope="module")
def reconciled(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReconConfig, Layout]:
    config = load_config(FIXTURES / "recon.yaml")
    data_dir = tmp_path_factory.mktemp("balance") / "data"
    for day in DAYS:
        results = run_day(config, day, data_dir=data_dir)
        assert all(result.ok for result in results), [result.error for result in results]
    return config, Layout(data_dir)


def _read(layout: Layout, table: str, partner: str, day: date) -> pl.DataFrame:
    return pl.read_parquet(layout.result(table, partner, day))


def _counted(frame: pl.DataFrame, side: str, currency: str, amount: str, flow: str) -> pl.DataFrame:
    """Rows and money of one flow per side and currency, taken from a published file."""
    return frame.group_by(pl.lit(side).alias("side"), pl.col(currency).fill_null("?").alias("currency")).agg(
        pl.len().cast(pl.Int64).alias(f"published_rows_{flow}"),
        pl.col(amount).sum().cast(pl.Int64).alias(f"published_amount_{flow}"),
    )


def _published_flows(layout: Layout, partner: str, day: date) -> pl.DataFrame:
    matches = _read(layout, "matches", partner, day)
    breaks = _read(layout, "breaks", partner, day)
    quarantine = _read(layout, "quarantine", partner, day)
    parts = [
        _counted(matches, "partner", "currency", "partner_amount_minor", "matched"),
        _counted(matches, "ledger", "currency", "ledger_amount_minor", "matched"),
    ]
    for side in SIDES:
        parts += [
            _counted(
                breaks.filter(pl.col(f"{side}_record_id").is_not_null()),
                side,
                f"{side}_currency",
                f"{side}_amount_minor",
                "in_breaks",
            ),
            _counted(
                quarantine.filter(pl.col("side") == side), side, "currency", "amount_minor", "quarantined"
            ),
            _counted(
                pl.read_parquet(layout.canonical(side, partner, day)),
                side,
                "currency",
                "amount_minor",
                "today",
            ),
        ]
    return pl.concat(parts, how="diagonal").group_by(KEY).agg(pl.all().sum()).fill_null(0)


@pytest.mark.parametrize(("partner", "day"), UNITS, ids=[f"{p}-{d}" for p, d in UNITS])
def test_every_published_statement_balances(
    reconciled: tuple[ReconConfig, Layout], partner: str, day: date
) -> None:
    _config, layout = reconciled
    statement = _read(layout, "balance", partner, day).sort(KEY)
    assert statement.height > 0
    assert statement["balanced"].all()
    for name in ("rows_{}", "amount_{}_minor"):
        total = sum(statement[name.format(flow)] for flow in ("matched", "in_breaks", "quarantined"))
        assert (statement[name.format("in")] == total).all(), name

    flows = _published_flows(layout, partner, day)
    assert flows.join(statement, on=KEY, how="anti").is_empty(), "a published row is not in the statement"
    both = statement.join(flows, on=KEY, how="left").fill_null(0)
    first_day = day == DAYS[0]
    for measure, column in (("rows", "rows_{}"), ("amount", "amount_{}_minor")):
        stated, published = column.format, f"published_{measure}_{{}}".format
        for flow in ("matched", "quarantined"):
            assert both[stated(flow)].to_list() == both[published(flow)].to_list(), (measure, flow)
        in_breaks = both.select(stated("in_breaks"), published("in_breaks")).rows()
        in_today = both.select(
            stated("in"), pl.col(published("today")) + pl.col(published("quarantined"))
        ).rows()
        for pairs, flow in ((in_breaks, "in_breaks"), (in_today, "in")):
            if first_day:
                assert all(got == want for got, want in pairs), (measure, flow, pairs)
            elif measure == "rows":
                assert all(got >= want for got, want in pairs), (measure, flow, pairs)


@pytest.mark.parametrize(("partner", "day"), UNITS, ids=[f"{p}-{d}" for p, d in UNITS])
def test_every_record_of_the_day_lands_in_exactly_one_place(
    reconciled: tuple[ReconConfig, Layout], partner: str, day: date
) -> None:
    _config, layout = reconciled
    matches = _read(layout, "matches", partner, day)
    breaks = _read(layout, "breaks", partner, day)
    quarantine = _read(layout, "quarantine", partner, day)
    for side in ("partner", "ledger"):
        placed = [
            *matches[f"{side}_record_id"].to_list(),
            *breaks[f"{side}_record_id"].drop_nulls().to_list(),
            *quarantine.filter(pl.col("side") == side)["record_id"].to_list(),
        ]
        assert len(placed) == len(set(placed)), f"{side} record placed twice"
        today = pl.read_parquet(layout.canonical(side, partner, day))["record_id"].to_list()
        assert set(today) <= set(placed), f"{side} records of {day} missing from the outputs"


@pytest.fixture
def unit_views(reconciled: tuple[ReconConfig, Layout]):
    """A DuckDB connection with the pipeline's input views for adyen_eu on 2026-11-02, and the paths
    of that unit's published matches and breaks. It is the partner's first day, so its published
    breaks are all the breaks the statement counts."""
    config, layout = reconciled
    partner, day = config.partner("adyen_eu"), DAYS[0]
    with duckdb.connect() as con:
        inputs = day_inputs(config, layout, partner.id, day)
        _input_views(con, layout, partner, inputs, carried_state(layout, partner.id, inputs.follows))
        yield con, layout.result("matches", partner.id, day), layout.result("breaks", partner.id, day)


def test_recomputing_over_the_published_files_gives_the_published_statement(
    reconciled: tuple[ReconConfig, Layout], unit_views
) -> None:
    _config, layout = reconciled
    con, matches, breaks = unit_views
    statement = balance_statement(con, "adyen_eu", DAYS[0].isoformat(), matches, breaks)
    assert statement.equals(_read(layout, "balance", "adyen_eu", DAYS[0]))
    assert_balanced(statement, "adyen_eu 2026-11-02")


def test_a_lost_match_row_fails_loudly_naming_side_and_currency(tmp_path: Path, unit_views) -> None:
    con, matches, breaks = unit_views
    published = pl.read_parquet(matches)
    currencies = published["currency"].unique().to_list()
    assert len(currencies) > 1, "the unit must hold several currencies for the check to be specific"
    lost = published.row(published.height // 2, named=True)
    shortened = tmp_path / "matches.parquet"
    published.filter(pl.col("partner_record_id") != lost["partner_record_id"]).write_parquet(shortened)
    assert pl.read_parquet(shortened).height == published.height - 1

    statement = balance_statement(con, "adyen_eu", DAYS[0].isoformat(), shortened, breaks)
    off = statement.filter(~pl.col("balanced"))
    assert off.select(KEY).rows() == [("ledger", lost["currency"]), ("partner", lost["currency"])]
    assert (
        off.select("rows_matched").to_series().to_list()
        == [published.filter(pl.col("currency") == lost["currency"]).height - 1] * 2
    )

    with pytest.raises(BalanceError) as raised:
        assert_balanced(statement, "adyen_eu 2026-11-02")
    message = str(raised.value)
    assert message.startswith("adyen_eu 2026-11-02 does not balance: ")
    assert f"partner {lost['currency']}: in " in message
    assert f"ledger {lost['currency']}: in " in message
    for other in set(currencies) - {lost["currency"]}:
        assert f" {other}: " not in message


def test_sums_beyond_64_bits_fail_in_one_line_instead_of_overflowing(tmp_path: Path, unit_views) -> None:
    con, matches, breaks = unit_views
    published = pl.read_parquet(matches)
    huge = published.head(1).with_columns(partner_amount_minor=pl.lit(4 * 10**18, pl.Int64))
    inflated = tmp_path / "matches.parquet"
    pl.concat([published, huge, huge, huge]).write_parquet(inflated)

    statement = balance_statement(con, "adyen_eu", DAYS[0].isoformat(), inflated, breaks)
    with pytest.raises(BalanceError) as raised:
        assert_balanced(statement, "adyen_eu 2026-11-02")

    currency = huge["currency"].item()
    message = str(raised.value)
    assert message.startswith("adyen_eu 2026-11-02 does not balance: ")
    assert "rows/beyond 64 bits+" in message.split(f"partner {currency}: in ")[1]
