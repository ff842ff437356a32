"""Delimited text (CSV, TSV...) to a raw frame, keeping physical line numbers and ragged rows.

Polars parses the cells; a second, line-level pass over the same bytes numbers the records
(a quoted field may span lines, so a record starts on the line after one that closes all its
quotes), counts each record's fields so that ragged rows can be quarantined rather than
guessed, and keeps each record's text for the quarantine's `raw` column.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import polars as pl

from recon.config import FileFormat
from recon.errors import IngestError
from recon.ingest.layout import check_columns, unreadable

COMMON_DELIMITERS = (",", ";", "\t", "|")
UTF8_BOM = "\ufeff"
LEADING_NEWLINES = re.compile(rb"[\r\n]*")


def read_delimited(path: Path, data: bytes, fmt: FileFormat, fields: dict[str, str]) -> pl.DataFrame:
    """Parse every cell as a string; rows come back in file order with their line and problem."""
    utf8 = _utf8_payload(path, data, fmt.encoding)
    payload = utf8.strip(b"\r\n")
    if not payload or payload.isspace():
        raise IngestError(f"{path}: no header line (file is blank)")
    header_line = utf8.count(b"\n", 0, LEADING_NEWLINES.match(utf8).end()) + 1
    try:
        header = pl.read_csv(payload, separator=fmt.delimiter, n_rows=0, infer_schema=False).columns
        check_columns(path, fields, header, _delimiter_hint(header, fmt.delimiter))
        cells = pl.read_csv(
            payload,
            separator=fmt.delimiter,
            columns=list(dict.fromkeys(fields.values())),
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise unreadable(path, f"{fmt.delimiter!r} delimited text", exc) from None
    records = _records(payload, header_line, fmt.delimiter, cells.height)
    if records.height != cells.height + 1:
        raise IngestError(
            f"{path}: cannot number rows: {records.height - 1} records by quote counting, "
            f"{cells.height} parsed; check for unbalanced quotes"
        )
    noun = pl.when(pl.col("fields") == 1).then(pl.lit("field")).otherwise(pl.lit("fields"))
    problem = (
        pl.when(pl.col("raw") == "")
        .then(pl.lit("blank line"))
        .when(pl.col("fields") != len(header))
        .then(pl.format("row has {} {}, the header has {}", pl.col("fields"), noun, pl.lit(len(header))))
    )
    lineage = records.slice(1).select("line", "raw", problem.alias("problem"))
    return pl.concat(
        [lineage, cells.select(pl.col(column).alias(field) for field, column in fields.items())],
        how="horizontal",
    )


def _utf8_payload(path: Path, data: bytes, encoding: str) -> bytes:
    """Check the bytes decode in the configured encoding and return them as UTF-8 without a BOM."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise IngestError(f"{path}: unknown encoding '{encoding}'") from None
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise IngestError(
            f"{path}: line {line} is not valid {encoding}: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        ) from None
    if codec.name == "utf-8":
        return data.removeprefix(UTF8_BOM.encode())
    return text.removeprefix(UTF8_BOM).encode()


def _records(payload: bytes, header_line: int, delimiter: str, data_rows: int) -> pl.DataFrame:
    """One row per CSV record, header first: its first physical line, its text and its number of fields.

    When there are exactly as many lines as records, each line is a record (a stray quote inside
    an unquoted cell, which Polars reads as text, changes nothing). Otherwise quoted cells span
    lines, and a record starts on the line after one that leaves no quote open.
    """
    lines = pl.read_lines(payload, name="raw").with_row_index("line", offset=header_line)
    lines = lines.with_columns(pl.col("line").cast(pl.Int64))
    if lines.height != data_rows + 1:
        odd_quotes = pl.col("raw").str.count_matches('"', literal=True) % 2 == 1
        open_after = odd_quotes.cast(pl.UInt32).cum_sum() % 2 == 1
        record = (~open_after.shift(1, fill_value=False)).cum_sum()
        lines = lines.group_by(record.alias("record"), maintain_order=True).agg(
            pl.col("line").first(), pl.col("raw").str.join("\n")
        )
    quoted_cell = f'(^|{re.escape(delimiter)})"(?:[^"]|"")*"'
    unquoted = pl.col("raw").str.replace_all(quoted_cell, "${1}")
    return lines.select("line", "raw", fields=unquoted.str.count_matches(delimiter, literal=True) + 1)


def _delimiter_hint(header: list[str], delimiter: str) -> str:
    """When the header looks split by another delimiter, say so: it is the usual cause."""
    for other in COMMON_DELIMITERS:
        if other != delimiter and any(other in name for name in header):
            return f" (expected {delimiter!r} delimited; found {other!r})"
    return ""
