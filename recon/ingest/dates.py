"""Dates from text: a naive date, a local time in the file's zone, or a time with its own offset.

Whatever the file's notation, the result is the calendar date in the reporting timezone, so
that both sides of a reconciliation compare days of the same clock.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from recon.errors import ConfigError
from recon.ingest.parsed import Parsed, shown

OFFSET_DIRECTIVE = re.compile(r"%[:#]*z")


def parse_date(
    cell: pl.Expr, label: str, date_format: str, timezone: str | None, reporting_timezone: str
) -> Parsed:
    """Parse `cell` (stripped text or null) with a chrono/strftime format.

    With an offset in the format (%z) the time is converted from that offset; otherwise, when the
    file has a `timezone`, the time is read as local to it (an ambiguous autumn hour takes its
    earlier instant; a time skipped by a spring change is an error). Without either, the date is
    taken as written.
    """
    not_matching = pl.format(
        "{} '{}' does not match date format '{}'", pl.lit(label), shown(cell), pl.lit(date_format)
    )
    if OFFSET_DIRECTIVE.search(date_format):
        instant = cell.str.strptime(pl.Datetime("us"), date_format, strict=False)
        value = instant.dt.convert_time_zone(_known_zone(reporting_timezone)).dt.date()
        return Parsed(value, pl.when(cell.is_not_null() & value.is_null()).then(not_matching))
    if timezone is None:
        value = cell.str.to_date(date_format, strict=False)
        return Parsed(value, pl.when(cell.is_not_null() & value.is_null()).then(not_matching))
    local = cell.str.strptime(pl.Datetime("us"), date_format, strict=False)
    instant = local.dt.replace_time_zone(_known_zone(timezone), ambiguous="earliest", non_existent="null")
    value = instant.dt.convert_time_zone(_known_zone(reporting_timezone)).dt.date()
    error = (
        pl.when(cell.is_null())
        .then(None)
        .when(local.is_null())
        .then(not_matching)
        .when(instant.is_null())
        .then(pl.format("{} '{}' does not exist in {}", pl.lit(label), shown(cell), pl.lit(timezone)))
    )
    return Parsed(value, error)


def _known_zone(name: str) -> str:
    """The zone's name once Polars knows it: a misspelt zone is a configuration error, not a row error."""
    try:
        pl.select(pl.datetime(2000, 1, 1).dt.replace_time_zone(name))
    except pl.exceptions.ComputeError:
        raise ConfigError(f"unknown time zone '{name}'") from None
    return name


def plausible(parsed: Parsed, label: str, earliest: date, latest: date) -> Parsed:
    """The same parse, with an error for a date outside earliest..latest (a typo'd year, 0001-01-01)."""
    outside = pl.format(
        "{} {} is outside the plausible dates {} to {}",
        pl.lit(label),
        parsed.value,
        pl.lit(earliest),
        pl.lit(latest),
    )
    error = pl.when(parsed.value.is_between(pl.lit(earliest), pl.lit(latest)).not_()).then(outside)
    return Parsed(parsed.value, pl.coalesce(parsed.error, error))
