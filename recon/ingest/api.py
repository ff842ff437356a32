"""The two entry points: one partner settlement file or one ledger export to canonical rows.

Every data row of the file ends in exactly one of `records` (canonical, checked against
CanonicalRecord) or `quarantine` (with the reason), and every physical line of the file is a
header, blank, data or continuation line; both counts are checked before returning.

A record's `source_file` (and so its `record_id`, `<source_file>:<line>`) is the file's path
relative to its landing folder or S3 prefix, so ids stay unique when dated folders hold files
of one name; it defaults to the file's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import polars as pl

from recon.config import FileFormat, LedgerConfig, PartnerConfig
from recon.errors import BalanceError, ConfigError
from recon.ingest.accounting import ACCOUNTING_SCHEMA, accounting_problems
from recon.ingest.normalise import RowContext, normalise
from recon.ingest.reader import read_raw
from recon.ingest.validate import split_valid


@dataclass(frozen=True)
class SourceFile:
    """The file as delivered: its fingerprint identifies a re-delivery, its line and row counts are
    what must balance (see recon.ingest.accounting)."""

    path: Path
    name: str
    sha256: str
    physical_lines: int
    header_lines: int
    blank_lines: int
    continuation_lines: int
    data_rows: int
    records: int
    quarantined: int

    def accounting(self) -> pl.DataFrame:
        """The file's row of ACCOUNTING_SCHEMA, as published next to its canonical records."""
        row = {
            "source_file": self.name,
            "source_sha256": self.sha256,
            **{name: getattr(self, name) for name in list(ACCOUNTING_SCHEMA)[2:]},
        }
        return pl.DataFrame([row], schema=ACCOUNTING_SCHEMA)


@dataclass(frozen=True)
class IngestResult:
    """One file's rows: canonical `records` plus `quarantine`, together exactly `source.data_rows`."""

    source: SourceFile
    records: pl.DataFrame
    quarantine: pl.DataFrame


def read_partner_file(
    path: Path,
    partner: PartnerConfig,
    business_date: date,
    reporting_timezone: str = "UTC",
    source_name: str | None = None,
) -> IngestResult:
    """Read a partner's settlement file; every row belongs to that partner."""
    return _ingest(
        path,
        partner.format,
        business_date,
        reporting_timezone,
        source_name,
        side="partner",
        partner_id=partner.id,
        allow_empty=partner.empty_file == "no_activity",
    )


def read_ledger_file(
    path: Path,
    ledger: LedgerConfig,
    partners: Mapping[str, PartnerConfig],
    business_date: date,
    reporting_timezone: str = "UTC",
    source_name: str | None = None,
) -> IngestResult:
    """Read the ledger export; each row's partner column is mapped through the partners' ledger codes.

    The ledger's `entry_id` column must exist but is not carried: a ledger row is identified by
    its record_id (file and line), and `partner_reference` holds only a mapped
    `columns.partner_reference`, so that column means the same on both sides.
    """
    codes: dict[str, str] = {}
    for partner in partners.values():
        other = codes.setdefault(partner.code_in_ledger, partner.id)
        if other != partner.id:
            raise ConfigError(
                f"partners '{other}' and '{partner.id}' share ledger code '{partner.code_in_ledger}'"
            )
    return _ingest(
        path,
        ledger.format,
        business_date,
        reporting_timezone,
        source_name,
        side="ledger",
        partner_codes=codes,
        allow_empty=ledger.empty_file == "no_activity",
    )


def _ingest(
    path: Path,
    fmt: FileFormat,
    business_date: date,
    reporting_timezone: str,
    source_name: str | None,
    side: Literal["partner", "ledger"],
    partner_id: str | None = None,
    partner_codes: Mapping[str, str] | None = None,
    allow_empty: bool = False,
) -> IngestResult:
    path = Path(path)
    name = source_name or path.name
    raw = read_raw(path, fmt, reporting_timezone, allow_empty)
    context = RowContext(
        side=side,
        business_date=business_date,
        source_file=name,
        source_sha256=raw.sha256,
        reporting_timezone=reporting_timezone,
        partner_id=partner_id,
        partner_codes=partner_codes or {},
    )
    records, quarantine = split_valid(normalise(raw.rows, fmt, context))
    source = SourceFile(
        path=path,
        name=name,
        sha256=raw.sha256,
        physical_lines=raw.lines.physical_lines,
        header_lines=raw.lines.header_lines,
        blank_lines=raw.lines.blank_lines,
        continuation_lines=raw.lines.continuation_lines,
        data_rows=raw.rows.height,
        records=records.height,
        quarantined=quarantine.height,
    )
    problems = accounting_problems(source.accounting())
    if problems:
        raise BalanceError(f"{path}: {problems[0].removeprefix(name + ': ')}")
    return IngestResult(source=source, records=records, quarantine=quarantine)
