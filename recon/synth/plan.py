"""How many items of each scenario one partner-day gets, and what the contract must make of each.

`rows` is the exact number of records on each side of one partner-day: the partner file has
`rows` data lines, and that partner's share of the day's ledger file has `rows` entries. The
shares are per 10,000 rows, rounded down, so every scenario appears once `rows >= 500`:
exact 84.5% (the rest; 10% of them lag by a day or two), refund pairs 4%, key_amount 3%,
key_date 2%, no_key 3%, amount_mismatch 1%, date_mismatch 0.5%, currency_mismatch 0.3%,
partner_only 1%, late_key 0.1%, late_nokey 0.1%, ledger_only 1%, ambiguous 0.2% (x2 on the
ledger), duplicates 0.5% per side. Sides are equal by one identity: ledger-only items =
partner-only + late items - ambiguous items, because each ambiguous item is one partner record
and two ledger records.

Late items are partner records that meet what the previous day left open (on the first day
there is nothing, and they are partner-only records). A late_key record carries the reference
of the first ledger twin of the previous day's ambiguous item with the same offset in its
scenario: that twin matches it by key, and the tie's partner record then pairs with the other
twin without a key, a day after the tie was left ambiguous. A late_nokey record pairs without a
key with the previous day's ledger-only record of the same offset, though its reference is
that of one of the day's key pairs (see recon.synth.items).
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.synth.rules import EXACT_RULE, KEY_RULE, NO_KEY_RULE

_LEFT_FOR_NO_KEY = ("missing_in_ledger", "missing_at_partner", "ambiguous")


@dataclass(frozen=True)
class Scenario:
    """One kind of generated item: its share (items per 10,000 rows), its records per side, its outcome."""

    name: str
    share: int
    partner_records: int
    ledger_records: int
    outcome: str
    rule: str | None = None

    @property
    def paired(self) -> bool:
        """Whether each record of the item names the other side's record as its counterpart."""
        return self.partner_records == 1 and self.ledger_records == 1 and self.outcome != "ambiguous"

    @property
    def reaches_no_key_stage(self) -> bool:
        """Records still open after the key stages: their amounts come from spaced slots."""
        return self.rule == NO_KEY_RULE or self.outcome in _LEFT_FOR_NO_KEY


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("exact", 0, 1, 1, "matched", EXACT_RULE),
    Scenario("refund", 400, 1, 1, "matched", EXACT_RULE),
    Scenario("key_amount", 300, 1, 1, "matched", KEY_RULE),
    Scenario("key_date", 200, 1, 1, "matched", KEY_RULE),
    Scenario("amount_mismatch", 100, 1, 1, "amount_mismatch"),
    Scenario("date_mismatch", 50, 1, 1, "date_mismatch"),
    Scenario("currency_mismatch", 30, 1, 1, "currency_mismatch"),
    Scenario("no_key", 300, 1, 1, "matched", NO_KEY_RULE),
    Scenario("partner_only", 100, 1, 0, "missing_in_ledger"),
    Scenario("late_key", 10, 1, 0, "missing_in_ledger"),
    Scenario("late_nokey", 10, 1, 0, "missing_in_ledger"),
    Scenario("ledger_only", 0, 0, 1, "missing_at_partner"),
    Scenario("ambiguous", 20, 1, 2, "ambiguous"),
)
SCENARIO_NAMES = tuple(scenario.name for scenario in SCENARIOS)
DUPLICATE_SHARE = 50


@dataclass(frozen=True)
class CasePlan:
    """Item counts of one partner-day, in item-index order, plus the duplicated exact items.

    Items are numbered scenario by scenario in SCENARIOS order. Refund item i shares the order
    reference of exact item i; the next `duplicates` exact items are delivered twice by the
    partner, and the `duplicates` after those twice by the ledger.
    """

    rows: int
    counts: dict[str, int]
    duplicates: int

    @property
    def items(self) -> int:
        return sum(self.counts.values())

    def start(self, name: str) -> int:
        """Index of the first item of a scenario."""
        return sum(self.counts[other] for other in SCENARIO_NAMES[: SCENARIO_NAMES.index(name)])

    @property
    def partner_duplicates(self) -> range:
        first = self.counts["refund"]
        return range(first, first + self.duplicates)

    @property
    def ledger_duplicates(self) -> range:
        first = self.counts["refund"] + self.duplicates
        return range(first, first + self.duplicates)


def plan_cases(rows: int) -> CasePlan:
    """Split `rows` records per side into scenario counts (see the module docstring)."""
    if not 1 <= rows <= 100_000_000:
        raise ValueError(f"rows must be between 1 and 100,000,000, got {rows}")
    counts = {scenario.name: rows * scenario.share // 10_000 for scenario in SCENARIOS}
    duplicates = rows * DUPLICATE_SHARE // 10_000
    late = counts["late_key"] + counts["late_nokey"]
    counts["ledger_only"] = counts["partner_only"] + late - counts["ambiguous"]
    others = sum(
        count * scenario.partner_records for scenario, count in zip(SCENARIOS, counts.values(), strict=True)
    )
    counts["exact"] = rows - others - duplicates
    return CasePlan(rows=rows, counts=counts, duplicates=duplicates)
