"""File bytes to a raw frame: one String column per configured field, plus each row's lineage.

The raw frame has `line` (Int64, the header is line 1), `raw` (the row as it was in the file),
`problem` (a row-level reading problem such as a ragged row, else null) and one String column
per key of `field_columns`. Whole-file problems raise IngestError instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from recon.config import FileFormat
from recon.errors import IngestError
from recon.ingest.delimited import read_delimited
from recon.ingest.layout import field_columns
from recon.ingest.parquet import read_parquet


@dataclass(frozen=True)
class RawFile:
    """The raw frame of a file, with the SHA-256 of its bytes."""

    sha256: str
    rows: pl.DataFrame


def read_raw(path: Path, fmt: FileFormat, reporting_timezone: str) -> RawFile:
    """Read one file as configured; the SHA-256 is of the bytes exactly as delivered."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{path}: file not found") from None
    except OSError as exc:
        raise IngestError(f"{path}: cannot read file: {exc.strerror}") from None
    if not data:
        raise IngestError(f"{path}: file is empty (0 bytes)")
    fields = field_columns(fmt)
    if fmt.kind == "parquet":
        rows = read_parquet(path, data, fmt, fields, reporting_timezone)
    else:
        rows = read_delimited(path, data, fmt, fields)
    if rows.is_empty():
        raise IngestError(f"{path}: no data rows" + (" (header only)" if fmt.kind == "csv" else ""))
    return RawFile(sha256=hashlib.sha256(data).hexdigest(), rows=rows)
