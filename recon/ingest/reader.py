"""File bytes to a raw frame: one String column per configured field, plus each row's lineage.

The raw frame has `line` (Int64, the header is line 1), `raw` (the row as it was in the file),
`problem` (a row-level reading problem such as a ragged row, else null) and one String column
per key of `field_columns`. Whole-file problems raise IngestError instead. A Parquet file's
"lines" are its rows, without header or blank lines.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from recon.config import FileFormat
from recon.errors import IngestError
from recon.ingest.delimited import LineCount, read_delimited
from recon.ingest.layout import field_columns
from recon.ingest.parquet import read_parquet


@dataclass(frozen=True)
class RawFile:
    """The raw frame of a file, with the SHA-256 of its bytes and where its lines went."""

    sha256: str
    rows: pl.DataFrame
    lines: LineCount


def read_raw(path: Path, fmt: FileFormat, reporting_timezone: str, allow_empty: bool = False) -> RawFile:
    """Read one file as configured; the SHA-256 is of the bytes exactly as delivered. A file with
    no rows is refused unless `allow_empty`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{path}: file not found") from None
    except OSError as exc:
        raise IngestError(f"{path}: cannot read file: {exc.strerror}") from None
    if not data:
        raise IngestError(f"{path}: file is empty (0 bytes)")
    fields = field_columns(fmt)
    sha256 = hashlib.sha256(data).hexdigest()
    if fmt.kind == "csv":
        delimited = read_delimited(path, data, fmt, fields, allow_empty)
        return RawFile(sha256=sha256, rows=delimited.rows, lines=delimited.lines)
    rows = read_parquet(path, data, fmt, fields, reporting_timezone)
    if rows.is_empty() and not allow_empty:
        raise IngestError(f"{path}: no data rows")
    return RawFile(sha256=sha256, rows=rows, lines=LineCount(rows.height, 0, 0, 0))
