"""The expected outcome of every written record, per docs/matching.md.

Records are identified as the engine identifies them, "<file base name>:<line>" with the header
on line 1. Of identical copies the first by line is the one that goes on to matching; the later
one is a `duplicate`. Pairs (matches and key mismatches) name each other's first copy as the
counterpart; every other record has none. Both records of a key mismatch carry its type, though
the engine writes one break for them, keyed on the partner record. `expected_rule` is set for
matches only. `scenario` (the generator's own label, e.g. key_date or no_key) is kept to explain
a disagreement; it is not part of the contract.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from recon.synth.plan import SCENARIOS, CasePlan
from recon.synth.rules import EXACT_RULE, NO_KEY_RULE

_OUTCOME = {scenario.name: scenario.outcome for scenario in SCENARIOS}
_RULE = {scenario.name: scenario.rule for scenario in SCENARIOS}
_PAIRED = [scenario.name for scenario in SCENARIOS if scenario.paired]
TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "side": pl.String(),
    "partner": pl.String(),
    "business_date": pl.Date(),
    "record_id": pl.String(),
    "expected": pl.String(),
    "expected_rule": pl.String(),
    "counterpart_record_id": pl.String(),
    "scenario": pl.String(),
}


def with_record_ids(records: pl.DataFrame, file_name: str) -> pl.LazyFrame:
    """Number the rows as lines of the written file: the first data row is line 2."""
    line = pl.int_range(2, pl.len() + 2, dtype=pl.Int64)
    return records.lazy().with_columns(
        line=line, record_id=pl.concat_str(pl.lit(file_name + ":"), line.cast(pl.String))
    )


def _first_copy(records: pl.LazyFrame) -> pl.LazyFrame:
    copy_of = ["partner", "item", "member"]
    return records.with_columns(first=pl.col("line") == pl.col("line").min().over(copy_of))


def _side_truth(records: pl.LazyFrame, other: pl.LazyFrame, side: str, business_date: date) -> pl.LazyFrame:
    counterparts = other.filter(pl.col("first") & (pl.col("member") == 0)).select(
        "partner", "item", counterpart_record_id="record_id"
    )
    first, scenario = pl.col("first"), pl.col("scenario")
    return records.join(counterparts, on=["partner", "item"], how="left", maintain_order="left").select(
        side=pl.lit(side),
        partner="partner",
        business_date=pl.lit(business_date, pl.Date),
        record_id="record_id",
        expected=pl.when(first)
        .then(scenario.replace_strict(_OUTCOME, return_dtype=pl.String))
        .otherwise(pl.lit("duplicate")),
        expected_rule=pl.when(first).then(scenario.replace_strict(_RULE, return_dtype=pl.String)),
        counterpart_record_id=pl.when(first & scenario.is_in(_PAIRED)).then("counterpart_record_id"),
        scenario=scenario.cast(pl.String),
        item="item",
        member="member",
    )


def day_truth(partner: pl.LazyFrame, ledger: pl.LazyFrame, business_date: date) -> pl.LazyFrame:
    """Truth rows of one business date: every partner record of every partner, then the ledger,
    in TRUTH_SCHEMA plus the `item` and `member` that `with_late_arrivals` needs."""
    partner, ledger = _first_copy(partner), _first_copy(ledger)
    return pl.concat(
        [
            _side_truth(partner, ledger, "partner", business_date),
            _side_truth(ledger, partner, "ledger", business_date),
        ]
    )


def with_late_arrivals(truth: pl.LazyFrame, plan: CasePlan, first_date: date) -> pl.LazyFrame:
    """The truth of every day, in TRUTH_SCHEMA, with what the late records after the first day
    decide (see recon.synth.plan): a late_key record and the first ledger twin of the tie it
    breaks match by exact_key, the tie's partner record and the other twin by the no-key rule;
    a late_nokey record and the ledger-only record it meets match by the no-key rule."""
    ids, side, member = pl.col("record_id"), pl.col("side"), pl.col("member")

    def earlier(late: str, source: str) -> pl.LazyFrame:
        """Late records and the previous day's records of the item they meet."""
        arrivals = truth.filter((pl.col("scenario") == late) & (pl.col("business_date") > first_date)).select(
            "partner",
            business_date=pl.col("business_date") - pl.duration(days=1),
            item=pl.col("item") - plan.start(late) + plan.start(source),
            late=ids,
        )
        met = truth.filter(pl.col("scenario") == source).join(
            arrivals, on=["partner", "business_date", "item"]
        )
        return met.group_by("partner", "business_date", "item").agg(
            tie_partner=ids.filter(side == "partner").first(),
            first=ids.filter((side == "ledger") & (member == 0)).first(),
            second=ids.filter((side == "ledger") & (member == 1)).first(),
            late=pl.col("late").first(),
        )

    pairs = [
        (earlier("late_key", "ambiguous"), "late", "first", EXACT_RULE),
        (earlier("late_key", "ambiguous"), "tie_partner", "second", NO_KEY_RULE),
        (earlier("late_nokey", "ledger_only"), "late", "first", NO_KEY_RULE),
    ]
    decided = pl.concat(
        [
            met.select(record_id=one, new_rule=pl.lit(rule), new_counterpart=other)
            for met, left, right, rule in pairs
            for one, other in ((left, right), (right, left))
        ]
    )
    fixed = truth.join(decided, on="record_id", how="left", maintain_order="left")
    changed = pl.col("new_rule").is_not_null()
    return fixed.select(
        "side",
        "partner",
        "business_date",
        "record_id",
        expected=pl.when(changed).then(pl.lit("matched")).otherwise("expected"),
        expected_rule=pl.when(changed).then("new_rule").otherwise("expected_rule"),
        counterpart_record_id=pl.when(changed).then("new_counterpart").otherwise("counterpart_record_id"),
        scenario="scenario",
    )
