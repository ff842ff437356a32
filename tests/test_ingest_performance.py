"""A generated million-row Adyen file (the costliest layout: grouping, comma decimals, debit/credit,
time zone conversion) ingests in seconds and exactly, with its bad rows quarantined."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest
from ingest_support import DAY, fixture_config

from recon.ingest import read_partner_file

ROWS = 1_000_000
BAD_EVERY, BAD_OFFSET = 100_000, 7
SECONDS = 60


def adyen_file(path: Path, rows: int) -> pl.Series:
    """Write EUR, JPY and KWD settlements (every fifth a refund, in the debit column) and return the
    expected signed minor units; every BAD_EVERY-th row has the malformed amount '12.34.5' instead."""
    i = pl.int_range(rows, eager=True)
    currency = pl.Series(["EUR", "JPY", "KWD"]).gather(i % 3)
    units, cents = (i * 7919) % 1_000_000, i % 100
    grouped = pl.format("{}.{}", units // 1000, (units % 1000).cast(pl.String).str.zfill(3))
    whole = pl.when(units >= 1000).then(grouped).otherwise(units.cast(pl.String))
    fraction = (
        pl.when(currency == "JPY")
        .then(pl.lit(""))
        .otherwise(pl.format(",{}", cents.cast(pl.String).str.zfill(2)))
    )
    refund = i % 5 == 0
    frame = pl.select(
        refund=refund,
        amount=pl.when(i % BAD_EVERY == BAD_OFFSET)
        .then(pl.lit("12.34.5"))
        .otherwise(pl.concat_str(whole, fraction)),
        minor=pl.when(currency == "EUR")
        .then(units * 100 + cents)
        .when(currency == "KWD")
        .then(units * 1000 + cents * 10)
        .otherwise(units),
    )
    pl.DataFrame(
        {
            "Psp Reference": "PSP" + i.cast(pl.String),
            "Merchant Reference": "ORD-" + i.cast(pl.String),
            "Type": frame.select(
                pl.when("refund").then(pl.lit("Refunded")).otherwise(pl.lit("Settled"))
            ).to_series(),
            "Gross Currency": currency,
            "Gross Debit (GC)": frame.select(pl.when("refund").then("amount")).to_series(),
            "Gross Credit (GC)": frame.select(pl.when(~pl.col("refund")).then("amount")).to_series(),
            "Commission": pl.Series(["1"] * rows),
            "Batch Number": pl.Series(["512"] * rows),
            "Booking Date": pl.Series(["2026-11-02 00:30:00", "2026-11-02 12:30:00"]).gather(i % 2),
        }
    ).write_csv(path, separator=";")
    return frame.select(pl.when("refund").then(-pl.col("minor")).otherwise("minor")).to_series()


@pytest.mark.slow
def test_a_million_adyen_rows(tmp_path: Path) -> None:
    path = tmp_path / "settlement_detail_report_20261102.csv"
    expected = adyen_file(path, ROWS)

    started = time.perf_counter()
    result = read_partner_file(path, fixture_config().partner("adyen_eu"), DAY)
    seconds = time.perf_counter() - started

    print(f"ingested {ROWS:,} rows in {seconds:.2f} s")
    bad_lines = list(range(BAD_OFFSET + 2, ROWS + 2, BAD_EVERY))
    assert result.source.data_rows == ROWS
    assert result.quarantine["source_line"].to_list() == bad_lines
    assert set(result.quarantine["reason"]) == {"Gross Credit (GC) '12.34.5' is not a valid amount"}
    good = pl.Series(range(ROWS)).is_in([line - 2 for line in bad_lines]).not_()
    assert result.records["amount_minor"].to_list() == expected.filter(good).to_list()
    assert seconds < SECONDS
