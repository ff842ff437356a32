"""Shared by the tests/test_ingest_*.py files: the fixture configuration and a small file writer."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import polars as pl

from recon.config import ReconConfig, load_config

FIXTURE_CONFIG = Path(__file__).resolve().parents[1] / "fixtures" / "recon.yaml"
DAY = date(2026, 11, 2)

STRIPE_HEADER = (
    "balance_transaction_id,payment_metadata[order_id],automatic_payout_id,reporting_category,"
    "currency,gross,fee,created_date,available_on"
)
LEDGER_HEADER = "entry_id,booked_on,value_date,counterparty,reference,entry_type,currency,amount,direction"
ADYEN_HEADER = (
    "Psp Reference;Merchant Reference;Type;Gross Currency;Gross Debit (GC);Gross Credit (GC);"
    "Commission;Batch Number;Booking Date"
)
PAYPAL_HEADER = "\t".join(
    [
        "CH",
        "Transaction ID",
        "Invoice ID",
        "Transaction Event Code",
        "Transaction Completion Date",
        "Transaction Debit or Credit",
        "Gross Transaction Amount",
        "Gross Transaction Currency",
        "Fee Amount",
    ]
)


@cache
def fixture_config() -> ReconConfig:
    return load_config(FIXTURE_CONFIG)


def write_lines(folder: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    """Write each line followed by a newline, encoded as asked."""
    path = folder / name
    path.write_bytes("".join(f"{line}\n" for line in lines).encode(encoding))
    return path


def reasons(quarantine: pl.DataFrame) -> dict[int, str]:
    """Quarantine reasons by source line."""
    return dict(quarantine.select("source_line", "reason").iter_rows())
