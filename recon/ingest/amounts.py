"""Exact amount parsing: text to Int64 minor units with string expressions, never through floats.

A cell is validated by one regular expression built from the format (optional sign, integer
part with optional well-formed thousands grouping, optional fraction; ".91" has an empty
integer part). Digits are ASCII only: another script's digits are refused by name. The minor-unit digits
are then assembled as a string (integer part, fraction padded with zeros to the currency's
exponent) and converted to an integer once, so no arithmetic can round or overflow silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from recon.config import FileFormat
from recon.ingest.parsed import Parsed, shown

MINOR_LIMIT = 10**15
"""Magnitudes stop below 10^15 minor units (10^13 major units of a 2-decimal currency): gross,
fee and net of a row stay far inside BIGINT, and so does the sum of up to 9,000 such rows;
sums of a day are computed in HUGEINT besides (recon.balance)."""
LIMIT_TEXT = f"{MINOR_LIMIT - 1:,} minor units"


@dataclass(frozen=True)
class AmountSyntax:
    """How a file writes amounts: the separators, and whether in major or minor units."""

    decimal_separator: str
    thousands_separator: str | None
    major_units: bool

    @classmethod
    def of(cls, fmt: FileFormat) -> AmountSyntax:
        return cls(fmt.decimal_separator, fmt.thousands_separator, fmt.amount_unit == "major")

    @property
    def pattern(self) -> str:
        whole = r"[0-9]+"
        if self.thousands_separator is not None:
            whole = rf"[0-9]{{1,3}}(?:{re.escape(self.thousands_separator)}[0-9]{{3}})+|[0-9]+"
        if not self.major_units:
            return rf"^[+-]?(?:{whole})$"
        fraction = rf"{re.escape(self.decimal_separator)}[0-9]+"
        return rf"^[+-]?(?:(?:{whole})(?:{fraction})?|{fraction})$"


def with_amounts(
    frame: pl.LazyFrame, labels: Mapping[str, str], syntax: AmountSyntax, currency: pl.Expr, exponent: pl.Expr
) -> pl.LazyFrame:
    """Add the parse of each amount field (stripped text or null) in `labels` (field -> header).

    `exponent` is the currency's number of minor-unit digits, null for an unknown currency: the
    value is then null without an error of its own (the currency carries the error), except for
    minor-unit files, whose amounts do not depend on the currency. Fraction digits beyond the
    exponent are accepted only when they are zeros ("100.00" JPY, a Decimal(18,4) column).
    Magnitudes stop below MINOR_LIMIT.
    The regular expression only validates (capture groups are several times slower); the parts
    are then cut with plain string functions, each step materialised once in a temporary column.
    """
    scale = exponent if syntax.major_units else pl.lit(0)
    hint = "" if syntax.major_units else " of minor units (a whole number)"
    frame = frame.with_columns(step for field in labels for step in _split(field, syntax))
    frame = frame.with_columns(step for field in labels for step in _digits(field, scale))
    results = []
    for field, label in labels.items():
        cell, magnitude = pl.col(field), pl.col(_temp(field, "magnitude"))
        valid, exact = pl.col(_temp(field, "valid")), pl.col(_temp(field, "exact"))
        in_range = magnitude < MINOR_LIMIT
        error = (
            pl.when(cell.is_null())
            .then(None)
            .when(~valid & cell.str.contains(r"[\d&&[^0-9]]"))
            .then(pl.format("{} '{}' has non-ASCII digits", pl.lit(label), shown(cell)))
            .when(~valid)
            .then(pl.format("{} '{}' is not a valid amount{}", pl.lit(label), shown(cell), pl.lit(hint)))
            .when(scale.is_null())
            .then(None)
            .when(~exact)
            .then(
                pl.format(
                    "{} '{}' has {} decimals, {} allows {}",
                    pl.lit(label),
                    shown(cell),
                    pl.col(_temp(field, "fraction")).str.len_chars(),
                    currency,
                    exponent,
                )
            )
            .when(~in_range.fill_null(False))
            .then(
                pl.format("{} '{}' is too large (limit {})", pl.lit(label), shown(cell), pl.lit(LIMIT_TEXT))
            )
        )
        signed = pl.when(cell.str.starts_with("-")).then(-magnitude).otherwise(magnitude)
        value = pl.when(valid & exact & in_range).then(signed)
        results += [value.alias(_temp(field, "minor")), error.alias(_temp(field, "error"))]
    temporary = [
        _temp(field, step)
        for field in labels
        for step in ("valid", "whole", "fraction", "magnitude", "exact")
    ]
    return frame.with_columns(results).drop(temporary)


def parsed_amount(field: str) -> Parsed:
    """The columns `with_amounts` added for `field`: signed minor units and error."""
    return Parsed(pl.col(_temp(field, "minor")), pl.col(_temp(field, "error")))


def _split(field: str, syntax: AmountSyntax) -> list[pl.Expr]:
    """Validity, integer digits (grouping removed) and fraction digits ("" when none) of a cell."""
    unsigned = pl.col(field).str.strip_chars_start("+-")
    if syntax.major_units:
        halves = unsigned.str.split_exact(syntax.decimal_separator, 1)
        whole, fraction = halves.struct.field("field_0"), halves.struct.field("field_1").fill_null("")
    else:
        whole, fraction = unsigned, pl.lit("")
    if syntax.thousands_separator is not None:
        whole = whole.str.replace_all(syntax.thousands_separator, "", literal=True)
    return [
        pl.col(field).str.contains(syntax.pattern).alias(_temp(field, "valid")),
        whole.alias(_temp(field, "whole")),
        fraction.alias(_temp(field, "fraction")),
    ]


def _digits(field: str, scale: pl.Expr) -> list[pl.Expr]:
    """The magnitude in minor units, and whether the fraction beyond `scale` digits is all zeros."""
    whole, fraction = pl.col(_temp(field, "whole")), pl.col(_temp(field, "fraction"))
    digits = pl.concat_str(whole, fraction.str.slice(0, scale)).str.pad_end(
        whole.str.len_chars() + scale, "0"
    )
    return [
        digits.str.to_integer(strict=False).alias(_temp(field, "magnitude")),
        fraction.str.slice(scale).str.contains("^0*$").alias(_temp(field, "exact")),
    ]


def _temp(field: str, step: str) -> str:
    return f"_{field}_{step}"
