"""Properties of the whole pipeline over generated partner-days, through `recon.pipeline.run_day`
on a temporary data directory: conservation, one-to-one, determinism under row order, and
idempotence of re-running a day.

Each example is two business days of one stripe_us-style partner (signed minor units) against
the ledger layout of the fixtures: items with references drawn from a small pool (so references
repeat, tie and collide), amounts and value dates near each other on both sides, items on one
side only, exact copies, and malformed rows. Profiles: `ci` (the default; derandomized, so CI is
deterministic) and `dev` (more examples), chosen by the environment variable HYPOTHESIS_PROFILE.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from recon.config import ReconConfig, load_config
from recon.money import format_minor
from recon.pipeline import Redelivery, run_day
from recon.store import Layout

FIXTURE_CONFIG = Path(__file__).resolve().parents[1] / "fixtures" / "recon.yaml"
DAYS = (date(2026, 11, 2), date(2026, 11, 3))
PARTNER = "stripe_us"
STRIPE_HEADER = (
    "balance_transaction_id,payment_metadata[order_id],automatic_payout_id,reporting_category,"
    "currency,gross,fee,created_date,available_on"
)
LEDGER_HEADER = "entry_id,booked_on,value_date,counterparty,reference,entry_type,currency,amount,direction"

settings.register_profile(
    "ci",
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.generate],  # shrinking a pipeline run takes minutes: dev shrinks
)
settings.register_profile(
    "dev", parent=settings.get_profile("ci"), max_examples=60, derandomize=False, phases=list(Phase)
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
TWO_RUNS = settings(PROFILE, max_examples=max(3, PROFILE.max_examples // 2))
"""For the properties that run each example twice or more."""


@dataclass(frozen=True)
class Item:
    """One business event and how each side shows it."""

    day: int  # index into DAYS of the partner's row
    ledger_later: bool  # the ledger books it a day later (when there is one): a carried item meets it
    reference: str
    currency: str
    amount: int  # minor units, signed
    on_partner: bool
    on_ledger: bool
    ledger_amount_delta: int
    value_lag: int  # partner value date minus ledger value date, days
    copies: int  # partner copies of the row (duplicates)


REFERENCES = st.sampled_from(["ORD-1", "ORD-2", "ORD-3", "ORD-4", "ORD-5", "ORD-6", ""])
items = st.builds(
    Item,
    day=st.integers(0, 1),
    ledger_later=st.sampled_from([False, False, True]),
    reference=REFERENCES,
    currency=st.sampled_from(["usd", "jpy", "eur"]),
    amount=st.one_of(st.integers(-3000, 3000), st.sampled_from([0, 1000, 2500])),
    on_partner=st.booleans(),
    on_ledger=st.booleans(),
    ledger_amount_delta=st.sampled_from([0, 0, 0, 3, -7, 40, 900]),
    value_lag=st.sampled_from([0, 0, 1, 2, -1, 5]),
    copies=st.sampled_from([1, 1, 1, 2]),
)
BAD_PARTNER_ROWS = st.sampled_from(
    ["txn_bad,ORD-9,po_1,charge,usd,1e5,0,{d},{d}", "txn_bad,ORD-9,po_1,charge,xyz,5,0,{d},{d}"]
)
BAD_LEDGER_ROWS = st.sampled_from(
    ["EB,{d},{d},STRIPE,ORD-9,SALE,USD,12.345,C", "EB,{d},{d},NOPE,ORD-9,SALE,USD,1.00,C"]
)


inputs = {
    "generated": st.lists(items, max_size=14),
    "bad_partner": st.lists(BAD_PARTNER_ROWS, max_size=2),
    "bad_ledger": st.lists(BAD_LEDGER_ROWS, max_size=2),
}


@dataclass(frozen=True)
class DayFiles:
    partner: list[str]
    ledger: list[str]


def day_files(generated: list[Item], bad_partner: list[str], bad_ledger: list[str]) -> list[DayFiles]:
    """The rows of each day's partner file and ledger export, in generation order, after one matching
    pair per day (so malformed rows never make up a whole file, which fails the day by design)."""
    days = [
        DayFiles(
            [f"txn_base{index},BASE-{index},po_1,charge,usd,100,0,{day},{day + timedelta(days=2)}"],
            [f"EB{index},{day},{day + timedelta(days=2)},STRIPE,BASE-{index},SALE,USD,1.00,C"],
        )
        for index, day in enumerate(DAYS)
    ]
    for number, item in enumerate(generated):
        booked = DAYS[item.day]
        ledger_value = booked + timedelta(days=2)
        partner_value = ledger_value + timedelta(days=item.value_lag)
        if item.on_partner or not item.on_ledger:
            row = (
                f"txn_{number},{item.reference},po_1,{'refund' if item.amount < 0 else 'charge'},"
                f"{item.currency},{item.amount},0,{booked},{partner_value}"
            )
            days[item.day].partner.extend([row] * item.copies)
        if item.on_ledger:
            ledger_day = min(item.day + item.ledger_later, len(DAYS) - 1)
            amount = item.amount + item.ledger_amount_delta
            major = format_minor(abs(amount), item.currency.upper())
            direction = "D" if amount < 0 else "C"
            kind = "REFUND" if item.amount < 0 else "SALE"
            days[ledger_day].ledger.append(
                f"E{number},{DAYS[ledger_day]},{ledger_value},STRIPE,{item.reference},{kind},"
                f"{item.currency.upper()},{major},{direction}"
            )
    for index, files in enumerate(days):
        stamp = DAYS[index]
        files.partner.extend(row.format(d=stamp) for row in bad_partner if index == 0)
        files.ledger.extend(row.format(d=stamp) for row in bad_ledger if index == 1)
    return days


def write_inputs(root: Path, days: list[DayFiles]) -> ReconConfig:
    raw = yaml.safe_load(FIXTURE_CONFIG.read_text(encoding="utf-8"))
    partner = raw["partners"][PARTNER]
    partner.update(
        first_business_date=DAYS[0].isoformat(),
        checks={"max_quarantine_share": "1"},
        empty_file="no_activity",
    )
    raw["ledger"]["empty_file"] = "no_activity"
    raw.update(data_dir="data", partners={PARTNER: partner})
    for index, files in enumerate(days):
        stamp = DAYS[index]
        for folder, name, header, rows in (
            ("landing/stripe_us", f"stripe_balance_{stamp}.csv", STRIPE_HEADER, files.partner),
            ("ledger", f"ledger_{stamp}.csv", LEDGER_HEADER, files.ledger),
        ):
            (root / folder).mkdir(parents=True, exist_ok=True)
            (root / folder / name).write_text(
                "".join(f"{row}\n" for row in (header, *rows)), encoding="utf-8"
            )
    (root / "recon.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    return load_config(root / "recon.yaml")


def run_days(config: ReconConfig, days: tuple[date, ...] = DAYS, rerun: bool = False) -> Layout:
    for day in days:
        results = run_day(config, day, redelivery=Redelivery(rerun=rerun))
        assert results and all(result.ok for result in results), [result.error for result in results]
    return Layout(config.data_dir)


def snapshot(layout: Layout) -> dict[Path, bytes]:
    """Every published result file (and skip record) by its path under the data directory."""
    files = sorted(path for path in layout.root.glob("partners/*/results/**/*") if path.is_file())
    return {path.relative_to(layout.root): path.read_bytes() for path in files}


def table(layout: Layout, name: str, day: date) -> pl.DataFrame:
    return pl.read_parquet(layout.result(name, PARTNER, day))


PAIR_BREAKS = ("amount_mismatch", "currency_mismatch", "date_mismatch")


def outcomes(layout: Layout, day: date) -> pl.DataFrame:
    """One row per record a day's results account for: side, record id, currency, amount and where
    it went (matched, a break type, quarantine)."""
    matches, breaks = table(layout, "matches", day), table(layout, "breaks", day)
    quarantine = table(layout, "quarantine", day)
    columns = ["side", "record_id", "currency", "amount_minor", "outcome"]

    def side(frame: pl.DataFrame, name: str, outcome: pl.Expr, currency: str = "currency") -> pl.DataFrame:
        return frame.select(
            side=pl.lit(name),
            record_id=pl.col(f"{name}_record_id"),
            currency=pl.col(currency),
            amount_minor=pl.col(f"{name}_amount_minor"),
            outcome=outcome,
        )

    keyed = breaks.select(
        "side",
        "record_id",
        currency=pl.when(pl.col("side") == "partner")
        .then(pl.coalesce("partner_currency", "currency"))
        .otherwise(pl.coalesce("ledger_currency", "currency")),
        amount_minor=pl.when(pl.col("side") == "partner")
        .then("partner_amount_minor")
        .otherwise("ledger_amount_minor"),
        outcome="break_type",
    )
    pairs = breaks.filter(pl.col("break_type").is_in(PAIR_BREAKS))
    counterpart = pl.concat(
        [
            side(
                pairs.filter(pl.col("side") == "ledger"), "partner", pl.col("break_type"), "partner_currency"
            ),
            side(
                pairs.filter(pl.col("side") == "partner"), "ledger", pl.col("break_type"), "ledger_currency"
            ),
        ]
    )
    return pl.concat(
        [
            side(matches, "partner", pl.lit("matched")),
            side(matches, "ledger", pl.lit("matched")),
            keyed,
            counterpart.select(columns),
            quarantine.select("side", "record_id", "currency", "amount_minor", outcome=pl.lit("quarantine")),
        ]
    ).select(columns)


@given(**inputs)
@PROFILE
def test_conservation_and_one_to_one(
    generated: list[Item], bad_partner: list[str], bad_ledger: list[str]
) -> None:
    """Every row of every day's files ends in exactly one of matched, a break or quarantine (no
    record in two matches, none both matched and a break), and per side and currency the money of
    the day's records equals matched + breaks; items carried from day 1 are its open breaks."""
    files = day_files(generated, bad_partner, bad_ledger)
    with tempfile.TemporaryDirectory() as folder:
        layout = run_days(write_inputs(Path(folder), files))
        open_before: set[tuple[str, str]] = set()
        for index, day in enumerate(DAYS):
            accounted = outcomes(layout, day)
            keys = list(zip(accounted["side"], accounted["record_id"], strict=True))
            assert len(keys) == len(set(keys)), Counter(keys).most_common(3)
            for side, lines in (("partner", files[index].partner), ("ledger", files[index].ledger)):
                records = pl.read_parquet(layout.canonical(side, PARTNER, day))
                quarantined = pl.read_parquet(layout.canonical_quarantine(side, PARTNER, day))
                routed = [line for line in lines if side == "partner" or line.split(",")[3] == "STRIPE"]
                assert records.height + quarantined.height == len(routed)
                own = set(records["record_id"]) | set(quarantined["record_id"])
                mine = accounted.filter(pl.col("side") == side)
                assert own <= set(mine["record_id"])
                assert {(side, rid) for rid in set(mine["record_id"]) - own} <= open_before
                day_money = mine.filter(pl.col("record_id").is_in(list(records["record_id"])))
                money_in = records.group_by("currency").agg(pl.col("amount_minor").sum()).sort("currency")
                money_out = day_money.group_by("currency").agg(pl.col("amount_minor").sum()).sort("currency")
                assert money_in.rows() == money_out.rows()
            assert table(layout, "balance", day)["balanced"].all()
            unrouted = sum(line.split(",")[3] != "STRIPE" for line in files[index].ledger)
            unrouted_file = layout.unrouted_quarantine(day)
            assert (pl.read_parquet(unrouted_file).height if unrouted_file.exists() else 0) == unrouted
            still_open = accounted.filter(~pl.col("outcome").is_in(["matched", "quarantine"]))
            open_before |= set(zip(still_open["side"], still_open["record_id"], strict=True))


RECORD_ID = re.compile(r"[\w-]+\.csv:\d+")
RECORD_ID_COLUMNS = ("record_id", "partner_record_id", "ledger_record_id", "counterpart_record_id")
COMPARED = ("matches", "breaks", "resolved", "balance", "summary")


def file_rows(files: list[DayFiles]) -> dict[str, str]:
    """Record id -> the row's text, for every row of every day's files."""
    rows = {}
    for index, day_rows in enumerate(files):
        for name, lines in (
            (f"stripe_balance_{DAYS[index]}.csv", day_rows.partner),
            (f"ledger_{DAYS[index]}.csv", day_rows.ledger),
        ):
            rows |= {f"{name}:{line}": row for line, row in enumerate(lines, start=2)}
    return rows


def by_content(layout: Layout, files: list[DayFiles]) -> dict[tuple[str, date], list[tuple]]:
    """Each compared table's rows with record ids replaced by the rows' text (ids are line numbers)
    and break ids dropped (hashes of record ids), sorted: what a reordering of rows may not change."""
    rows = file_rows(files)
    tables = {}
    for name in COMPARED:
        for day in DAYS:
            frame = table(layout, name, day).drop("break_id", strict=False)
            ids = [column for column in RECORD_ID_COLUMNS if column in frame.columns]
            frame = frame.with_columns(pl.col(ids).replace_strict(rows, default=None, return_dtype=pl.String))
            if "detail" in frame.columns:  # "duplicate of <record id>"
                named = [
                    RECORD_ID.sub(lambda found: rows[found.group()], text or "") for text in frame["detail"]
                ]
                frame = frame.with_columns(detail=pl.Series(named, dtype=pl.String))
            tables[name, day] = sorted(frame.rows(), key=repr)
    return tables


@given(**inputs, data=st.data())
@TWO_RUNS
def test_row_order_changes_nothing_but_record_ids(
    generated: list[Item], bad_partner: list[str], bad_ledger: list[str], data: st.DataObject
) -> None:
    """The same rows in another order give the same matches, breaks, resolutions, balance and
    summary, once record ids (file and line) are read as the rows they name."""
    files = day_files(generated, bad_partner, bad_ledger)
    shuffled = [
        DayFiles(data.draw(st.permutations(day.partner)), data.draw(st.permutations(day.ledger)))
        for day in files
    ]
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        in_order = by_content(run_days(write_inputs(Path(first), files)), files)
        reordered = by_content(run_days(write_inputs(Path(second), shuffled)), shuffled)
    assert in_order == reordered


@given(**inputs)
@TWO_RUNS
def test_rerunning_days_and_another_folder_give_the_same_bytes(
    generated: list[Item], bad_partner: list[str], bad_ledger: list[str]
) -> None:
    """Re-running the first day (which recomputes the second) changes no byte of any published file,
    and the same inputs in another data directory give the same bytes."""
    files = day_files(generated, bad_partner, bad_ledger)
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        config = write_inputs(Path(first), files)
        layout = run_days(config)
        published = snapshot(layout)
        assert {path.parts[1] for path in published} == {PARTNER}
        run_days(config, DAYS[:1], rerun=True)  # read and reconciled again, the second day too
        assert snapshot(layout) == published
        assert snapshot(run_days(write_inputs(Path(second), files))) == published
