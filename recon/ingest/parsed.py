"""The (value, error) pair every field parser returns, and how errors of one row are joined."""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from recon.ingest.layout import EXCERPT


class Parsed(NamedTuple):
    """A parsed value and its error message (null when the cell is fine)."""

    value: pl.Expr
    error: pl.Expr

    @classmethod
    def without_error(cls, value: pl.Expr) -> Parsed:
        return cls(value, pl.lit(None, pl.String))


def join_errors(*errors: pl.Expr) -> pl.Expr:
    """All non-null messages of a row joined with '; ', or null when there are none."""
    joined = pl.concat_str(errors, separator="; ", ignore_nulls=True)
    return pl.when(joined != "").then(joined)


def required(cell: pl.Expr, label: str, parsed: Parsed) -> Parsed:
    """The same parse, with an error for an empty cell."""
    return Parsed(
        parsed.value, pl.when(cell.is_null()).then(pl.lit(f"{label} is empty")).otherwise(parsed.error)
    )


def shown(cell: pl.Expr) -> pl.Expr:
    """A cell as quoted in a reason: cut to EXCERPT characters, so no reason echoes a whole file
    (control characters are escaped in the finished reason, see recon.ingest.normalise)."""
    cut = cell.str.slice(0, EXCERPT - 3) + pl.lit("...")
    return pl.when(cell.str.len_chars() > EXCERPT).then(cut).otherwise(cell)
