"""The rule cascades of generated partners, and the contract's tolerance arithmetic as expressions.

Every generated partner has the same three rules in the same order, `exact_key` (reference,
zero tolerance), `key_tolerance` (reference) and `amount_date` (no key), with one of a few
parameter sets, so the truth can name the rule that must win. A parameter set is checked when
it is built against the assumptions the scenarios rely on (see `RuleSet.__post_init__`).

Tolerance follows docs/matching.md: max(minor, floor(|partner amount| * percent / 100)), in
integer parts per million. With `compare: net` the contract leaves open whether "partner
amount" is the gross or the net figure, so an amount meant to be inside a tolerance is drawn
inside the smaller of the two readings and one meant to be outside lies beyond the larger.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import polars as pl

from recon.synth.amounts import MIN_AMOUNT_MINOR

EXACT_RULE = "exact_key"
KEY_RULE = "key_tolerance"
NO_KEY_RULE = "amount_date"
SLOT_MARGIN = 3


@dataclass(frozen=True)
class Window:
    """Allowed partner value date minus ledger value date: -before..after days."""

    before: int
    after: int

    def as_config(self) -> dict[str, int]:
        return {"days_before": self.before, "days_after": self.after}


@dataclass(frozen=True)
class Tolerance:
    """Absolute `minor` units, and `ppm` parts per million (percent * 10,000) of the partner amount."""

    minor: int = 0
    ppm: int = 0

    def as_config(self) -> dict[str, int | str]:
        config: dict[str, int | str] = {}
        if self.minor:
            config["minor"] = self.minor
        if self.ppm:
            config["percent"] = str(Decimal(self.ppm) / 10_000)
        return config

    def of(self, partner_amount: pl.Expr) -> pl.Expr:
        """The contract's tolerance for each pair, in minor units."""
        return pl.max_horizontal(pl.lit(self.minor, pl.Int64), partner_amount.abs() * self.ppm // 1_000_000)


@dataclass(frozen=True)
class RuleSet:
    """Parameters of one partner's cascade: exact_key, key_tolerance, amount_date."""

    compare: Literal["gross", "net"]
    exact_window: Window
    key_tolerance: Tolerance
    key_window: Window
    no_key_tolerance_minor: int
    no_key_window: Window

    def __post_init__(self) -> None:
        exact, key = self.exact_window, self.key_window
        if exact.after < 1:
            raise ValueError("exact_window.after must allow a one-day lag")
        if key.before < exact.before or key.after < exact.after or key == exact:
            raise ValueError("key_window must strictly contain exact_window, for lags only it accepts")
        if self.key_tolerance.minor < 1 and self.key_tolerance.ppm * MIN_AMOUNT_MINOR < 1_000_000:
            raise ValueError("key_tolerance must allow at least one minor unit on the smallest amount")
        if self.key_tolerance.minor >= MIN_AMOUNT_MINOR // 5 or self.key_tolerance.ppm > 50_000:
            raise ValueError("key_tolerance must stay far below the smallest amount")
        if not 0 <= self.no_key_tolerance_minor < MIN_AMOUNT_MINOR:
            raise ValueError("no_key_tolerance_minor must stay below the smallest amount")

    @property
    def slot_spacing(self) -> int:
        """Distance between no-key amounts: beyond twice the no-key tolerance, so slots never meet."""
        return 2 * self.no_key_tolerance_minor + SLOT_MARGIN

    def _readings(self, gross: pl.Expr, net: pl.Expr) -> list[pl.Expr]:
        return [gross] if self.compare == "gross" else [gross, net]

    def key_tolerance_inside(self, gross: pl.Expr, net: pl.Expr) -> pl.Expr:
        """Largest difference key_tolerance accepts under every reading of the partner amount."""
        return pl.min_horizontal(*(self.key_tolerance.of(amount) for amount in self._readings(gross, net)))

    def key_tolerance_outside(self, gross: pl.Expr, net: pl.Expr) -> pl.Expr:
        """Widest key-rule tolerance under any reading: a larger difference is an amount_mismatch."""
        return pl.max_horizontal(*(self.key_tolerance.of(amount) for amount in self._readings(gross, net)))

    def as_config(self) -> list[dict]:
        return [
            {
                "name": EXACT_RULE,
                "match_on": "reference",
                "compare": self.compare,
                "date_window": self.exact_window.as_config(),
            },
            {
                "name": KEY_RULE,
                "match_on": "reference",
                "compare": self.compare,
                "amount_tolerance": self.key_tolerance.as_config(),
                "date_window": self.key_window.as_config(),
            },
            {
                "name": NO_KEY_RULE,
                "match_on": "none",
                "compare": self.compare,
                "amount_tolerance": {"minor": self.no_key_tolerance_minor},
                "date_window": self.no_key_window.as_config(),
            },
        ]


RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet("gross", Window(0, 1), Tolerance(minor=50, ppm=5_000), Window(0, 3), 5, Window(0, 2)),
    RuleSet("net", Window(0, 1), Tolerance(minor=50), Window(1, 3), 0, Window(0, 2)),
    RuleSet("gross", Window(0, 2), Tolerance(ppm=10_000), Window(0, 3), 10, Window(0, 1)),
)
