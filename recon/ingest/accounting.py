"""Where every physical line of a source file went, and the check that none went missing.

Lines in = header lines + blank lines outside the data + data rows + continuation lines (the
second and later lines of records whose quoted cells span lines); data rows = records +
quarantined. Checked at ingest and again, from the published `source.parquet`, by the balance.
"""

from __future__ import annotations

import polars as pl

ACCOUNTING_SCHEMA = {
    "source_file": pl.String,
    "source_sha256": pl.String,
    "physical_lines": pl.Int64,
    "header_lines": pl.Int64,
    "blank_lines": pl.Int64,
    "continuation_lines": pl.Int64,
    "data_rows": pl.Int64,
    "records": pl.Int64,
    "quarantined": pl.Int64,
}


def accounting_problems(accounting: pl.DataFrame) -> list[str]:
    """One message per file (row of ACCOUNTING_SCHEMA) whose lines or rows do not add up."""
    lines = pl.sum_horizontal("header_lines", "blank_lines", "data_rows", "continuation_lines")
    rows = pl.col("records") + pl.col("quarantined")
    off = accounting.filter((pl.col("physical_lines") != lines) | (pl.col("data_rows") != rows))
    return [
        f"{row['source_file']}: {row['physical_lines']} lines in, {row['header_lines']} header + "
        f"{row['blank_lines']} blank + {row['data_rows']} data rows + {row['continuation_lines']} "
        f"continuation lines out; {row['data_rows']} data rows, {row['records']} records + "
        f"{row['quarantined']} quarantined"
        for row in off.iter_rows(named=True)
    ]
