"""The two entry points: one partner settlement file or one ledger export to canonical rows.

Every data row of the file ends in exactly one of `records` (canonical, checked against
CanonicalRecord) or `quarantine` (with the reason); the count is checked before returning.
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
from recon.ingest.normalise import RowContext, normalise
from recon.ingest.reader import read_raw
from recon.ingest.validate import split_valid


@dataclass(frozen=True)
class SourceFile:
    """The file as delivered: its fingerprint identifies a re-delivery, its row count is what must balance."""

    path: Path
    name: str
    sha256: str
    data_rows: int


@dataclass(frozen=True)
class IngestResult:
    """One file's rows: canonical `records` plus `quarantine`, together exactly `source.data_rows`."""

    source: SourceFile
    records: pl.DataFrame
    quarantine: pl.DataFrame


def read_partner_file(
    path: Path, partner: PartnerConfig, business_date: date, reporting_timezone: str = "UTC"
) -> IngestResult:
    """Read a partner's settlement file; every row belongs to that partner."""
    return _ingest(
        path, partner.format, business_date, reporting_timezone, side="partner", partner_id=partner.id
    )


def read_ledger_file(
    path: Path,
    ledger: LedgerConfig,
    partners: Mapping[str, PartnerConfig],
    business_date: date,
    reporting_timezone: str = "UTC",
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
    return _ingest(path, ledger.format, business_date, reporting_timezone, side="ledger", partner_codes=codes)


def _ingest(
    path: Path,
    fmt: FileFormat,
    business_date: date,
    reporting_timezone: str,
    side: Literal["partner", "ledger"],
    partner_id: str | None = None,
    partner_codes: Mapping[str, str] | None = None,
) -> IngestResult:
    path = Path(path)
    raw = read_raw(path, fmt, reporting_timezone)
    context = RowContext(
        side=side,
        business_date=business_date,
        source_file=path.name,
        source_sha256=raw.sha256,
        reporting_timezone=reporting_timezone,
        partner_id=partner_id,
        partner_codes=partner_codes or {},
    )
    records, quarantine = split_valid(normalise(raw.rows, fmt, context))
    source = SourceFile(path=path, name=path.name, sha256=raw.sha256, data_rows=raw.rows.height)
    if source.data_rows != records.height + quarantine.height:
        raise BalanceError(
            f"{path}: {source.data_rows} data rows in, {records.height} records + "
            f"{quarantine.height} quarantined out"
        )
    return IngestResult(source=source, records=records, quarantine=quarantine)
