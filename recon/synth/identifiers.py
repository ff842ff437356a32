"""References and ids that are unique by construction, not by luck.

An id number is an affine map of an integer key modulo 10^9: (key * multiplier + offset) mod 10^9
is a bijection when the multiplier is prime to 10, so distinct keys below 10^9 always give
distinct numbers, while the numbers look unordered and change with the seed. Each reference
also carries the partner number and the business date, so references never repeat across
partners or days: a record carried forward to another day can never meet a stray key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from recon.synth.draws import stream_seed

_MODULUS = 10**9
_MULTIPLIERS = {"order": 738_219_461, "psp": 492_017_383, "entry": 615_904_237}
REFERENCE_PREFIX = "ORD"


@dataclass(frozen=True)
class IdScope:
    """The partner-day that ids are made for, and the run seed that shuffles their numbers."""

    partner_number: int
    business_date: date
    seed: int

    @property
    def stamp(self) -> str:
        return f"{self.partner_number:02d}{self.business_date:%y%m%d}"

    def number(self, key: pl.Expr, kind: str) -> pl.Expr:
        """Nine zero-padded digits, distinct for distinct keys in [0, 10^9)."""
        offset = stream_seed(self.seed, kind, self.partner_number, self.business_date.isoformat()) % _MODULUS
        return ((key * _MULTIPLIERS[kind] + offset) % _MODULUS).cast(pl.String).str.zfill(9)

    def order_reference(self, key: pl.Expr) -> pl.Expr:
        """Our order reference, sent to the partner and echoed back: ORD + partner + date + number."""
        return pl.concat_str(pl.lit(REFERENCE_PREFIX + self.stamp), self.number(key, "order"))

    def psp_reference(self, key: pl.Expr) -> pl.Expr:
        return pl.concat_str(pl.lit("PSP" + self.stamp), self.number(key, "psp"))

    def entry_id(self, key: pl.Expr) -> pl.Expr:
        return pl.concat_str(pl.lit("JE" + self.stamp), self.number(key, "entry"))

    def batch_id(self, batch: pl.Expr) -> pl.Expr:
        return pl.concat_str(pl.lit("B" + self.stamp + "-"), batch.cast(pl.String))


def mangled(reference: pl.Expr, style: pl.Expr) -> pl.Expr:
    """A reference damaged on its way through a system: prefix dropped (style 0) or O keyed as 0.

    Neither form starts with the prefix, so a mangled reference can equal no intact reference,
    and each is a one-to-one function of the intact one, so mangled references stay unique.
    """
    rest = reference.str.slice(len(REFERENCE_PREFIX))
    return pl.when(style == 0).then(rest).otherwise(pl.concat_str(pl.lit("0RD"), rest))
