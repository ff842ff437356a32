"""The boundary contract: rows that pass normalisation are checked with pandera before leaving.

Rows the CanonicalRecord model rejects move to quarantine with the failed check as the reason.
A failure that is not about rows (a missing column, a wrong dtype) is a bug in normalisation,
not bad data, so it is raised as is.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from recon.schema import CANONICAL_SCHEMA, QUARANTINE_SCHEMA, CanonicalRecord


def split_valid(normalised: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split a normalised frame (canonical columns, `reason`, `raw`; file order) into records and quarantine.

    The rare rows pandera rejects get its reason; records and quarantine both stay in file order.
    """
    records = _rows(normalised, good=True)
    rejected = _schema_failures(records)
    if not rejected.is_empty():
        normalised = normalised.update(rejected, on="source_line")
        records = _rows(normalised, good=True)
    return records, _rows(normalised, good=False)


def _rows(normalised: pl.DataFrame, good: bool) -> pl.DataFrame:
    """The good rows as canonical records, or the others as quarantine; lazily, so `raw` is only copied
    for the quarantine."""
    columns = CANONICAL_SCHEMA if good else QUARANTINE_SCHEMA
    return normalised.lazy().filter(pl.col("reason").is_null() == good).select(list(columns)).collect()


def _schema_failures(records: pl.DataFrame) -> pl.DataFrame:
    """Source line -> reason for every row CanonicalRecord rejects (empty when all pass)."""
    try:
        CanonicalRecord.validate(records, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        if cases["index"].null_count():
            raise
        check = pl.col("check").str.extract(r"^([^(]*)")
        reason = pl.format("{} '{}' fails schema check {}", pl.col("column"), pl.col("failure_case"), check)
        rejected = cases.group_by("index").agg(reason.sort().str.join("; ").alias("reason"))
        return pl.DataFrame(
            {"source_line": records["source_line"].gather(rejected["index"]), "reason": rejected["reason"]}
        )
    return pl.DataFrame(schema={"source_line": pl.Int64, "reason": pl.String})
