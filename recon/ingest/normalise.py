"""Raw string cells to canonical columns, with every row-level problem as a reason instead of an error.

The result has the canonical columns, then `reason` (null for a good row, else every problem of
the row joined with '; ') and `raw`. A row with a reason keeps whatever could be parsed: its
currency when the code is known, its amount when the amount parsed, else nulls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import polars as pl

from recon.config import FileFormat
from recon.ingest.amounts import AmountSyntax, with_amounts
from recon.ingest.dates import parse_date, plausible
from recon.ingest.layout import AMOUNT_FIELDS, field_columns
from recon.ingest.parsed import Parsed, join_errors, required, shown
from recon.ingest.signs import fee_amount, net_error, signed_amount
from recon.money import currency_exponents
from recon.printable import CONTROL, CONTROL_SHOWN
from recon.schema import CANONICAL_SCHEMA

UNKNOWN_PARTNER = "unknown"
TEXT_FIELDS = ("reference", "partner_reference", "batch_id")
TEXT_LIMIT = 1000
"""Longest reference, partner reference or batch id taken (real ones are under 100 characters):
a longer cell is a fault or an attack, and would be copied into every output and view."""
CONTROL_IN_TEXT = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
"""Control characters but tab and line feed (a multi-line record's quoted cell may hold one)."""


@dataclass(frozen=True)
class RowContext:
    """What every row of one file shares: its side, lineage and how its partner is known.

    A partner file names its partner (`partner_id`); a ledger routes each row through its
    partner column, whose values are looked up in `partner_codes` (code in the ledger -> id).
    """

    side: Literal["partner", "ledger"]
    business_date: date
    source_file: str
    source_sha256: str
    reporting_timezone: str
    partner_id: str | None = None
    partner_codes: Mapping[str, str] = field(default_factory=dict)


def normalise(raw: pl.DataFrame, fmt: FileFormat, context: RowContext) -> pl.DataFrame:
    """Canonical columns plus `reason` and `raw`, one row per raw row, in file order."""
    labels = field_columns(fmt)
    cells = raw.lazy().with_columns(pl.col(*labels).str.strip_chars().replace("", None).name.keep())

    ascii_code = pl.col("currency").str.contains("^[A-Za-z]{3}$")
    code = pl.when(ascii_code).then(pl.col("currency").str.to_uppercase())
    exponent = code.replace_strict(currency_exponents(), default=None, return_dtype=pl.Int64)
    cells = cells.with_columns(_currency=code, _exponent=exponent)
    code, exponent = pl.col("_currency"), pl.col("_exponent")
    amount_labels = {name: labels[name] for name in AMOUNT_FIELDS if name in labels}
    cells = with_amounts(cells, amount_labels, AmountSyntax.of(fmt), code, exponent)
    currency_error = (
        pl.when(pl.col("currency").is_null())
        .then(pl.lit(f"{labels['currency']} is empty"))
        .when(pl.col("currency").str.contains(r"[^\x00-\x7F]"))
        .then(
            pl.format(
                "{} '{}' is not three ASCII letters", pl.lit(labels["currency"]), shown(pl.col("currency"))
            )
        )
        .when(exponent.is_null())
        .then(pl.format("unknown currency '{}'", shown(pl.col("currency"))))
    )
    partner = _partner(context)
    record_type = _record_type(fmt, labels)
    amount = signed_amount(fmt, labels)
    fee = fee_amount(fmt, labels)
    net = net_error(fmt, labels, amount, fee)
    booking = required(
        pl.col("booking_date"), labels["booking_date"], _date("booking_date", fmt, labels, context)
    )
    value_date = _date("value_date", fmt, labels, context)
    texts = {name: _text(name, labels) for name in TEXT_FIELDS}

    reason = pl.coalesce(
        pl.col("problem"),
        join_errors(
            partner.error,
            record_type.error,
            currency_error,
            amount.error,
            fee.error,
            net,
            booking.error,
            value_date.error,
            *(text.error for text in texts.values()),
        ),
    )
    canonical = {
        "record_id": pl.format("{}:{}", pl.lit(context.source_file), pl.col("line")),
        "side": pl.lit(context.side),
        "partner": partner.value,
        "business_date": pl.lit(context.business_date),
        **{name: text.value for name, text in texts.items()},
        "record_type": record_type.value,
        "currency": pl.when(exponent.is_not_null()).then(code),
        "amount_minor": amount.value,
        "fee_minor": fee.value,
        "net_minor": amount.value - fee.value,
        "booking_date": booking.value,
        "value_date": pl.coalesce(value_date.value, booking.value),
        "source_file": pl.lit(context.source_file),
        "source_sha256": pl.lit(context.source_sha256),
        "source_line": pl.col("line"),
    }
    columns = [expr.cast(CANONICAL_SCHEMA[name]).alias(name) for name, expr in canonical.items()]
    # Escaped once in the finished reasons, null for good rows, rather than in every quoted cell.
    shown_reason = reason.str.replace_many(CONTROL, CONTROL_SHOWN)
    return cells.select(*columns, shown_reason.alias("reason"), "raw").collect()


def _partner(context: RowContext) -> Parsed:
    if context.partner_id is not None:
        return Parsed.without_error(pl.lit(context.partner_id))
    partner = pl.col("partner").replace_strict(
        dict(context.partner_codes), default=None, return_dtype=pl.String
    )
    unknown = pl.format("unknown partner code '{}'", shown(pl.col("partner").fill_null("")))
    return Parsed(partner.fill_null(UNKNOWN_PARTNER), pl.when(partner.is_null()).then(unknown))


def _record_type(fmt: FileFormat, labels: dict[str, str]) -> Parsed:
    if "record_type" not in labels:
        return Parsed.without_error(pl.lit(fmt.default_record_type))
    mapped = pl.col("record_type").replace_strict(fmt.record_types, default=None, return_dtype=pl.String)
    unknown = pl.format("unknown record type '{}'", shown(pl.col("record_type").fill_null("")))
    return Parsed(mapped, pl.when(mapped.is_null()).then(unknown))


def _date(field_name: str, fmt: FileFormat, labels: dict[str, str], context: RowContext) -> Parsed:
    if field_name not in labels:
        return Parsed.without_error(pl.lit(None, pl.Date))
    parsed = parse_date(
        pl.col(field_name), labels[field_name], fmt.date_format, fmt.timezone, context.reporting_timezone
    )
    window = fmt.plausible_dates
    earliest = context.business_date - timedelta(days=window.days_before)
    latest = context.business_date + timedelta(days=window.days_after)
    return plausible(parsed, labels[field_name], earliest, latest)


def _text(field_name: str, labels: dict[str, str]) -> Parsed:
    """An identifying text cell, refused when over TEXT_LIMIT characters or holding control characters
    (a NUL, an escape sequence): such a value would be copied into every output and shown to ops."""
    if field_name not in labels:
        return Parsed.without_error(pl.lit(None, pl.String))
    cell, label = pl.col(field_name), labels[field_name]
    error = (
        pl.when(cell.str.len_chars() > TEXT_LIMIT)
        .then(pl.lit(f"{label} is longer than {TEXT_LIMIT} characters"))
        .when(cell.str.contains(CONTROL_IN_TEXT))
        .then(pl.lit(f"{label} has control characters"))
    )
    return Parsed(cell, error)
