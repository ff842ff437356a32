"""The canonical record both sides are normalised to, and its pandera contract.

Amounts are Int64 minor units of the row's currency: exact, never floats. Every row keeps its
lineage (file, SHA-256, line) so any output can be traced back to the byte it came from.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from recon.config import CANONICAL_TYPES
from recon.money import currency_exponents

SIDES = ("partner", "ledger")

CANONICAL_SCHEMA: dict[str, pl.DataType] = {
    "record_id": pl.String(),
    "side": pl.String(),
    "partner": pl.String(),
    "business_date": pl.Date(),
    "reference": pl.String(),
    "partner_reference": pl.String(),
    "batch_id": pl.String(),
    "record_type": pl.String(),
    "currency": pl.String(),
    "amount_minor": pl.Int64(),
    "fee_minor": pl.Int64(),
    "net_minor": pl.Int64(),
    "booking_date": pl.Date(),
    "value_date": pl.Date(),
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "source_line": pl.Int64(),
}

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "record_id": pl.String(),
    "side": pl.String(),
    "partner": pl.String(),
    "business_date": pl.Date(),
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "source_line": pl.Int64(),
    "reason": pl.String(),
    "currency": pl.String(),
    "amount_minor": pl.Int64(),
    "raw": pl.String(),
}


class CanonicalRecord(pa.DataFrameModel):
    """One settled (partner) or booked (ledger) item after normalisation."""

    record_id: pl.String = pa.Field(unique=True)
    side: pl.String = pa.Field(isin=list(SIDES))
    partner: pl.String = pa.Field(str_matches=r"^[a-z0-9_-]+$")
    business_date: pl.Date
    reference: pl.String = pa.Field(nullable=True)
    partner_reference: pl.String = pa.Field(nullable=True)
    batch_id: pl.String = pa.Field(nullable=True)
    record_type: pl.String = pa.Field(isin=list(CANONICAL_TYPES))
    currency: pl.String = pa.Field(isin=sorted(currency_exponents()))
    amount_minor: pl.Int64
    fee_minor: pl.Int64
    net_minor: pl.Int64
    booking_date: pl.Date
    value_date: pl.Date
    source_file: pl.String
    source_sha256: pl.String = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    source_line: pl.Int64 = pa.Field(ge=1)

    class Config:
        strict = True
        ordered = True
