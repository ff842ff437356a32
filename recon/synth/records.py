"""Records of each side, as the files will carry them, built from a unit's items.

The partner file holds one record per item with a partner side, plus a second identical copy of
each item in `plan.partner_duplicates`; the ledger holds one record per item with a ledger side
(two for ambiguous twins, whose second reference is a fresh one) plus a copy of each item in
`plan.ledger_duplicates`. A copy is identical in every column, so the contract's duplicate key
(reference, record_type, currency, amount_minor, value_date) matches only its original.
Every record keeps `item` and `member` so the truth can tell which records belong together.
"""

from __future__ import annotations

import polars as pl

from recon.synth.draws import stream_seed
from recon.synth.items import Unit
from recon.synth.plan import SCENARIOS, CasePlan

_WITH_PARTNER = [scenario.name for scenario in SCENARIOS if scenario.partner_records]
_WITH_LEDGER = [scenario.name for scenario in SCENARIOS if scenario.ledger_records]


def _record_type(amount: pl.Expr) -> pl.Expr:
    return pl.when(amount < 0).then(pl.lit("refund")).otherwise(pl.lit("payment"))


def _in_range(numbers: range) -> pl.Expr:
    return pl.col("item").is_between(numbers.start, numbers.stop, closed="left")


def partner_records(items: pl.DataFrame, plan: CasePlan, unit: Unit) -> pl.DataFrame:
    frame = pl.concat(
        [
            items.filter(pl.col("scenario").is_in(_WITH_PARTNER)),
            items.filter(_in_range(plan.partner_duplicates)),
        ]
    )
    return frame.select(
        partner=pl.lit(unit.partner.id),
        item="item",
        member=pl.lit(0, pl.Int64),
        scenario="scenario",
        reference="reference_at_partner",
        partner_reference=unit.ids.psp_reference(pl.col("item")),
        batch_id=unit.ids.batch_id(pl.col("batch")),
        record_type=_record_type(pl.col("gross")),
        currency="currency",
        amount_minor="gross",
        fee_minor="fee",
        booking_date=pl.lit(unit.business_date),
        value_date="partner_date",
    )


def ledger_records(items: pl.DataFrame, plan: CasePlan, unit: Unit) -> pl.DataFrame:
    first = pl.lit(0, pl.Int64)
    twins = items.filter(pl.col("scenario") == "ambiguous").with_columns(
        reference_in_ledger=unit.ids.order_reference(pl.col("item") + plan.items)
    )
    frame = pl.concat(
        [
            items.filter(pl.col("scenario").is_in(_WITH_LEDGER)).with_columns(member=first),
            twins.with_columns(member=pl.lit(1, pl.Int64)),
            items.filter(_in_range(plan.ledger_duplicates)).with_columns(member=first),
        ]
    )
    value_date = pl.lit(unit.business_date) - pl.duration(days=pl.col("lag"))
    return frame.select(
        partner=pl.lit(unit.partner.id),
        item="item",
        member="member",
        scenario="scenario",
        partner_code=pl.lit(unit.partner.ledger_code),
        entry_id=unit.ids.entry_id(pl.col("item") + pl.col("member") * plan.items),
        reference="reference_in_ledger",
        record_type=_record_type(pl.col("ledger_amount")),
        currency="ledger_currency",
        amount_minor="ledger_amount",
        booking_date=value_date,
        value_date=value_date,
    )


def shuffled(records: pl.DataFrame, seed: int, *labels: object) -> pl.DataFrame:
    """Rows in a seeded order, so a file is never in pair order; stable for equal hashes."""
    order = pl.int_range(pl.len()).hash(stream_seed(seed, "shuffle", *labels))
    return records.sort(order, maintain_order=True)
