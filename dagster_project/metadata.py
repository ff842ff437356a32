"""What the UI shows for each materialisation, built from recon's own results and published files."""

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from recon.ingest import IngestResult
from recon.metrics import UnitMetrics
from recon.money import format_minor


def table_schema(schema: Mapping[str, pl.DataType]) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(name, str(dtype)) for name, dtype in schema.items()])


def file_schema(path: Path) -> dg.TableSchema:
    """Column schema of a published Parquet file, read from its footer."""
    return table_schema(pl.read_parquet_schema(path))


def ingest_metadata(result: IngestResult, partner_id: str) -> dict[str, Any]:
    """Rows of this partner in the canonical records and in quarantine, and the file they came from."""
    records = result.records.filter(pl.col("partner") == partner_id)
    quarantined = result.quarantine.filter(pl.col("partner") == partner_id)
    return {
        "dagster/row_count": records.height,
        "dagster/column_schema": table_schema(result.records.schema),
        "quarantined_rows": quarantined.height,
        "source_file": dg.MetadataValue.path(str(result.source.path)),
        "source_sha256": result.source.sha256,
    }


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&!~#:.()])")
"""Characters that could end a cell, open a link, an image, an autolink, HTML or emphasis."""
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def markdown_text(value: object) -> str:
    """A value as literal text in one Markdown table cell: every character that Markdown or HTML
    would read as syntax is backslash-escaped and line breaks are shown as '↵', so a reference
    from a partner file (`a | b`, `[x](http://...)`, `<img>`) stays in its cell as written."""
    text = "" if value is None else str(value)
    return LINE_BREAK.sub("↵", MARKDOWN_SPECIAL.sub(r"\\\1", text))


def markdown_table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A table of our column names over values escaped as text (see markdown_text)."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(markdown_text(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def largest_breaks(metrics: UnitMetrics) -> str:
    """The largest open breaks with amounts in major units of their currency."""
    frame = metrics.largest_breaks
    if frame.is_empty():
        return "_no open breaks_"
    columns = [column for column in frame.columns if column != "amount_minor"]
    rows = (
        [*(row[column] for column in columns), format_minor(row["amount_minor"], row["currency"])]
        for row in frame.iter_rows(named=True)
    )
    return markdown_table([*columns, "amount"], rows)


def table_preview(frame: pl.DataFrame) -> dg.TableMetadataValue:
    """The whole (small) frame as a table in the UI; values without a JSON type shown as text."""
    plain = (str, int, float, bool, type(None))
    records = [
        dg.TableRecord({key: value if isinstance(value, plain) else str(value) for key, value in row.items()})
        for row in frame.iter_rows(named=True)
    ]
    return dg.MetadataValue.table(records=records, schema=table_schema(frame.schema))


def file_rows(path: Path) -> int:
    return pl.scan_parquet(path).select(pl.len()).collect().item()


def unit_metadata(metrics: UnitMetrics, tables: Mapping[str, Path]) -> dict[str, Any]:
    """Figures of one reconciled partner-day; `breaks` is the asset's primary table (row count and
    column schema), the other tables' schemas are listed beside it."""
    entries: dict[str, Any] = {
        "dagster/row_count": file_rows(tables["breaks"]),
        "dagster/column_schema": file_schema(tables["breaks"]),
        "partner_rows": metrics.partner_rows,
        "ledger_rows": metrics.ledger_rows,
        "matched_pairs": metrics.matched_pairs,
        "match_rate": dg.MetadataValue.float(round(metrics.match_rate, 4)),
        "quarantined_rows": metrics.quarantined_rows,
        "matches_by_rule": dg.MetadataValue.json(metrics.matches_by_rule),
        "breaks_by_type": dg.MetadataValue.json(metrics.breaks_by_type),
        "value_at_risk": dg.MetadataValue.json(
            {
                currency: format_minor(minor, currency)
                for currency, minor in metrics.value_at_risk_minor.items()
            }
        ),
        "largest_open_breaks": dg.MetadataValue.md(largest_breaks(metrics)),
        "results": dg.MetadataValue.path(str(tables["breaks"].parent)),
    }
    for table, path in tables.items():
        if table != "breaks":
            entries[f"{table}_schema"] = file_schema(path)
    return entries


def checks_table(results: Sequence[dg.AssetCheckResult]) -> str:
    """Every check of one partner-day with its outcome: Dagster's check view shows the latest
    evaluation only, this keeps each partition's."""
    rows = (
        [
            result.check_name,
            "passed" if result.passed else f"failed ({result.severity.value})",
            result.description,
        ]
        for result in results
    )
    return markdown_table(["check", "outcome", "detail"], rows)
