"""One partner-day's items: the scenario of each and the values both of its sides will carry.

An item is one real-world event: a partner record and a ledger record for pairs, one record for
an orphan, one partner and two ledger records for ambiguous twins. Every value is drawn per item
index from seeded streams, so the same seed gives the same items, row for row.

What each scenario is made of (d = partner value date - ledger value date, diff = partner
compared amount - ledger amount; windows and tolerances are the partner's RuleSet):
- exact: same reference, diff 0, d 0 (10% lag by 1..exact_window.after days).
- refund: an exact pair of refund records (negative amounts, 20-100% of the payment) sharing
  the order reference of exact item i; payment and refund are too far apart to pair.
- key_amount: same reference, 1 <= |diff| <= key tolerance under every reading, d in key_window.
- key_date: same reference, diff 0, d inside key_window but outside exact_window.
- amount_mismatch: same reference, |diff| beyond the widest key tolerance under every reading.
- date_mismatch: same reference, diff 0, d outside every key window.
- currency_mismatch: same reference and amount, the ledger booked the next currency.
- no_key: one side's reference lost (empty) or mangled, |diff| <= no-key tolerance,
  d inside no_key_window.
- partner_only, ledger_only: one record, a fresh reference (a quarter have none).
- late_key, late_nokey: on the first day partner_only records. After it, a late_key record
  breaks the previous day's tie of the same offset: the reference of its first ledger twin, the
  same amount, a value date one day after the twins' (exact_key accepts it). A late_nokey record
  pairs without a key with the previous day's ledger_only record of the same offset (its amount
  and value date) while carrying the reference of one of the day's exact items in another
  currency, so that reference repeats within the day and no key rule can pair it.
- ambiguous: a partner record without reference and two ledger records with fresh references,
  all three with the same amount, currency and value dates (d inside no_key_window).
Items of the last five scenarios reach the no-key stage; their amounts are slots (see amounts),
numbered per currency and interleaved across days, so no two items of a partner ever come within
no-key tolerance of each other on any day, and ambiguous twins tie only with their own partner
record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from recon.synth.amounts import other_currency, pick_currency, realistic_amount, slot_amount
from recon.synth.draws import draw
from recon.synth.identifiers import IdScope, mangled
from recon.synth.partners import GeneratedPartner
from recon.synth.plan import SCENARIO_NAMES, SCENARIOS, CasePlan
from recon.synth.rules import RuleSet

SCENARIO = pl.Enum(SCENARIO_NAMES)
NO_KEY_STAGE = tuple(scenario.name for scenario in SCENARIOS if scenario.reaches_no_key_stage)
LATE = ("late_key", "late_nokey")
REUSE_WINDOW = 8
FEE_PER_MILLE = 15
BATCHES_PER_DAY = 4


@dataclass(frozen=True)
class Unit:
    """One partner and one business date: the unit the engine reconciles."""

    partner: GeneratedPartner
    business_date: date
    day_number: int
    days: int
    seed: int

    @property
    def rules(self) -> RuleSet:
        return self.partner.rules

    @property
    def ids(self) -> IdScope:
        return IdScope(self.partner.number, self.business_date, self.seed)

    def draw(self, key: pl.Expr, modulus: int | pl.Expr, label: str) -> pl.Expr:
        """A seeded draw of its own stream for this unit: partners and days never share values."""
        return draw(key, modulus, self.seed, label, self.partner.number, self.day_number)


def _scenario_column(plan: CasePlan) -> pl.Series:
    parts = [pl.repeat(name, count, eager=True) for name, count in plan.counts.items() if count]
    return pl.concat(parts).cast(SCENARIO).rename("scenario")


def build_items(plan: CasePlan, unit: Unit) -> pl.DataFrame:
    """All items of the unit, one row each, in item-index order, with the partner's value date;
    after the first day, late items take their values from the previous day's items."""
    items = _own_items(plan, unit).with_columns(partner_date=pl.lit(unit.business_date))
    if unit.day_number == 0:
        return items
    previous = Unit(
        unit.partner, unit.business_date - timedelta(days=1), unit.day_number - 1, unit.days, unit.seed
    )
    earlier = _own_items(plan, previous).with_columns(
        ledger_date=pl.lit(previous.business_date) - pl.duration(days=pl.col("lag"))
    )
    late = pl.concat([_tie_breakers(plan, earlier), _late_orphans(plan, earlier, items)], how="diagonal")
    late = items.filter(pl.col("scenario").is_in(LATE)).select("item").join(late, on="item")
    return items.update(late, on="item")


def _late_values(plan: CasePlan, earlier: pl.DataFrame, source: str, late: str) -> pl.DataFrame:
    """The amounts of the previous day's `source` items, keyed by the late item of the same offset."""
    offset = pl.col("item") - plan.start(source)
    return earlier.filter((pl.col("scenario") == source) & (offset < plan.counts[late])).select(
        item=offset + plan.start(late),
        currency="currency",
        compared="compared",
        fee="fee",
        gross="gross",
        ledger_date="ledger_date",
        reference_in_ledger="reference_in_ledger",
    )


def _tie_breakers(plan: CasePlan, earlier: pl.DataFrame) -> pl.DataFrame:
    """late_key: the reference of the tie's first ledger twin, a value date one day after it."""
    ties = _late_values(plan, earlier, "ambiguous", "late_key")
    return ties.select(
        "item",
        "currency",
        "compared",
        "fee",
        "gross",
        reference_at_partner="reference_in_ledger",
        partner_date=pl.col("ledger_date") + pl.duration(days=1),
    )


def _late_orphans(plan: CasePlan, earlier: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """late_nokey: the amount and value date of the previous day's ledger-only record, and the
    reference of one of this day's exact items in another currency (none found among its
    REUSE_WINDOW candidates: it keeps its own fresh reference)."""
    orphans = _late_values(plan, earlier, "ledger_only", "late_nokey")
    first = plan.counts["refund"] + 2 * plan.duplicates  # exact items that share no reference
    exact = items.filter((pl.col("scenario") == "exact") & (pl.col("item") >= first)).select(
        item=(pl.col("item") - first) // REUSE_WINDOW + plan.start("late_nokey"),
        exact_item=pl.col("item"),
        exact_currency=pl.col("currency"),
        exact_reference=pl.col("reference_at_partner"),
    )
    reused = (
        orphans.join(exact, on="item")
        .filter(pl.col("exact_currency") != pl.col("currency"))
        .group_by("item")
        .agg(reference_at_partner=pl.col("exact_reference").sort_by("exact_item").first())
    )
    return orphans.join(reused, on="item", how="left").select(
        "item", "currency", "compared", "fee", "gross", "reference_at_partner", partner_date="ledger_date"
    )


def _own_items(plan: CasePlan, unit: Unit) -> pl.DataFrame:
    """The unit's items as drawn for its own day alone."""
    rules, item, scenario = unit.rules, pl.col("item"), pl.col("scenario")
    key = pl.when(scenario == "refund").then(item - plan.start("refund")).otherwise(item)
    frame = (
        _scenario_column(plan)
        .to_frame()
        .with_row_index("item")
        .with_columns(item.cast(pl.Int64))
        .with_columns(key=key, no_key_stage=scenario.is_in(NO_KEY_STAGE))
        .with_columns(currency=pick_currency(pl.col("key"), unit.seed, unit.partner.number, unit.day_number))
    )
    frame = frame.with_columns(compared=_compared_amount(unit))
    fee = pl.when(pl.col("compared") > 0).then(pl.col("compared") * FEE_PER_MILLE // 1000).otherwise(0)
    frame = frame.with_columns(fee=fee).with_columns(
        gross=pl.col("compared") + pl.col("fee") if rules.compare == "net" else pl.col("compared")
    )
    return frame.with_columns(
        ledger_amount=pl.col("compared") - _amount_diff(unit),
        ledger_currency=pl.when(scenario == "currency_mismatch")
        .then(other_currency(pl.col("currency")))
        .otherwise(pl.col("currency")),
        lag=_date_lag(unit),
        batch=1 + unit.draw(item, BATCHES_PER_DAY, "batch"),
        **_references(unit),
    )


def _compared_amount(unit: Unit) -> pl.Expr:
    """Signed amount the partner's rules compare (gross or net): realistic, refunded or a slot."""
    scenario, item, key, currency = pl.col("scenario"), pl.col("item"), pl.col("key"), pl.col("currency")
    realistic = realistic_amount(key, currency, unit.seed, unit.partner.number, unit.day_number)
    slot = pl.int_range(pl.len()).over(["no_key_stage", "currency"]) * unit.days + unit.day_number
    slot_sign = pl.when(unit.draw(item, 10, "slot_refund") == 0).then(-1).otherwise(1)
    refunded_percent = 20 + unit.draw(item, 81, "refunded_percent")
    return (
        pl.when(pl.col("no_key_stage"))
        .then(slot_sign * slot_amount(slot, currency, unit.rules.slot_spacing))
        .when(scenario == "refund")
        .then(-(realistic * refunded_percent // 100))
        .otherwise(realistic)
    )


def _amount_diff(unit: Unit) -> pl.Expr:
    """Partner compared amount minus ledger amount, per the scenario."""
    rules, scenario, item = unit.rules, pl.col("scenario"), pl.col("item")
    gross, net = pl.col("gross"), pl.col("gross") - pl.col("fee")
    sign = pl.when(unit.draw(item, 2, "diff_sign") == 0).then(1).otherwise(-1)
    inside = 1 + unit.draw(item, rules.key_tolerance_inside(gross, net), "key_diff")
    outside = (
        rules.key_tolerance_outside(gross, net) + 1 + unit.draw(item, 1 + pl.col("compared") // 10, "gap")
    )
    no_key_tolerance = rules.no_key_tolerance_minor
    return (
        pl.when(scenario == "key_amount")
        .then(sign * inside)
        .when(scenario == "amount_mismatch")
        .then(sign * outside)
        .when(scenario == "no_key")
        .then(unit.draw(item, 2 * no_key_tolerance + 1, "no_key_diff") - no_key_tolerance)
        .otherwise(0)
    )


def _date_lag(unit: Unit) -> pl.Expr:
    """Partner value date minus ledger value date in days, per the scenario."""
    exact, key, no_key = unit.rules.exact_window, unit.rules.key_window, unit.rules.no_key_window
    scenario, item = pl.col("scenario"), pl.col("item")
    exact_lag = pl.when(unit.draw(item, 10, "lagged") == 0).then(1 + unit.draw(item, exact.after, "lag"))
    later, earlier = key.after - exact.after, key.before - exact.before
    pick = unit.draw(item, later + earlier, "key_only_lag")
    key_only_lag = (
        pl.when(pick < later).then(exact.after + 1 + pick).otherwise(-(exact.before + 1 + pick - later))
    )
    outside_lag = (
        pl.when(unit.draw(item, 4, "early") == 0)
        .then(-(key.before + 1 + unit.draw(item, 3, "early_days")))
        .otherwise(key.after + 1 + unit.draw(item, 5, "late_days"))
    )
    return (
        pl.when(scenario.is_in(["exact", "refund"]))
        .then(exact_lag.otherwise(0))
        .when(scenario == "key_amount")
        .then(unit.draw(item, key.before + key.after + 1, "key_lag") - key.before)
        .when(scenario == "key_date")
        .then(key_only_lag)
        .when(scenario == "date_mismatch")
        .then(outside_lag)
        .when(scenario.is_in(["no_key", "ambiguous"]))
        .then(unit.draw(item, no_key.before + no_key.after + 1, "no_key_lag") - no_key.before)
        .otherwise(0)
    )


def _references(unit: Unit) -> dict[str, pl.Expr]:
    """Our order reference as each side writes it: intact, empty or mangled per the scenario."""
    scenario, item = pl.col("scenario"), pl.col("item")
    order = unit.ids.order_reference(pl.col("key"))
    damage = unit.draw(item, 4, "damage")
    damaged = mangled(order, unit.draw(item, 2, "mangle_style"))
    no_reference = unit.draw(item, 4, "orphan_reference") == 0
    no_key = scenario == "no_key"
    partner = (
        pl.when(
            (scenario == "ambiguous")
            | ((scenario == "partner_only") & no_reference)
            | (no_key & (damage == 0))
        )
        .then(None)
        .when(no_key & (damage == 1))
        .then(damaged)
        .otherwise(order)
    )
    ledger = (
        pl.when(((scenario == "ledger_only") & no_reference) | (no_key & (damage == 2)))
        .then(None)
        .when(no_key & (damage == 3))
        .then(damaged)
        .otherwise(order)
    )
    return {"reference_at_partner": partner, "reference_in_ledger": ledger}
