"""Delimited text (CSV, TSV...) to a raw frame, accounting for every physical line of the file.

A line-level pass numbers the records before any parsing: a quote opens a quoted cell only at
the start of a cell, so a record ends at the first line end outside a quoted cell. A record
may span at most `max_lines_per_record` lines; each line of a longer one is quarantined on its
own, so a stray quote cannot hide the rows after it, and a quote still open at the end of the
file refuses the file. Polars then parses the cells of the well-formed records only; the pass
also counts each record's fields so that ragged rows are quarantined rather than guessed, and
keeps each record's text for the quarantine's `raw` column. A quote inside an unquoted cell
(`ORD"1`, `"ORD"-1`) quarantines its row: parsers disagree on it, and Polars would fuse rows around it.
Files that are not text at all (gzip, ZIP, Parquet, UTF-16 in a UTF-8 layout) are named as such.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from recon.config import FileFormat
from recon.errors import IngestError
from recon.ingest.layout import check_columns, excerpt, unreadable

COMMON_DELIMITERS = (",", ";", "\t", "|")
UTF8_BOM = "\ufeff"
SIGNATURES = (
    (b"\x1f\x8b", "is gzip-compressed, not text: decompress it before delivery"),
    (b"PK\x03\x04", "is a ZIP archive (or an Excel workbook), not text"),
    (b"PAR1", "is a Parquet file, not text: set format.kind: parquet if that is the layout"),
)
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class LineCount:
    """Where the physical lines of a file went besides the first line of each data row."""

    physical_lines: int
    header_lines: int
    blank_lines: int
    continuation_lines: int


@dataclass(frozen=True)
class Delimited:
    """The raw frame of a delimited file and the accounting of its lines."""

    rows: pl.DataFrame
    lines: LineCount


def read_delimited(
    path: Path, data: bytes, fmt: FileFormat, fields: dict[str, str], allow_empty: bool = False
) -> Delimited:
    """Parse every cell as a string; rows come back in file order with their line and problem.
    A header without rows is refused unless `allow_empty` (a partner's "no activity" file).

    Lines are those of the file as delivered; a file with CR-only line endings is read with CR
    as the line end. Blank lines before the header and after the last record are not data rows.
    """
    text = _utf8_payload(path, data, fmt.encoding).decode()
    if "\n" not in text:
        text = text.replace("\r", "\n")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()
    filled = [number for number, line in enumerate(lines) if line.strip()]
    if not filled:
        raise IngestError(f"{path}: no header line (file is blank)")
    first, last = filled[0], filled[-1]
    header = _header(path, lines[first], first + 1, fmt.delimiter, fields)
    records = _records(path, lines, first + 1, last + 1, fmt)
    if records.is_empty() and not allow_empty:
        raise IngestError(
            f"{path}: no data rows (header only); if such a file means a day without activity, "
            "set empty_file: no_activity for its partner (or the ledger)"
        )
    if not records.is_empty():
        _check_complete(path, records.row(-1, named=True), len(header), text.endswith("\n"))
    count = LineCount(
        physical_lines=len(lines),
        header_lines=1,
        blank_lines=first + len(lines) - 1 - last,
        continuation_lines=int(records["raw"].str.count_matches("\n", literal=True).sum()),
    )
    return Delimited(rows=_rows(path, lines[first], records, fmt, fields, len(header)), lines=count)


def _header(path: Path, line: str, number: int, delimiter: str, fields: dict[str, str]) -> list[str]:
    """The header's names; a configured column missing or named twice refuses the file."""
    try:
        header = next(csv.reader([line], delimiter=delimiter))
    except csv.Error as exc:
        raise IngestError(f"{path}: line {number}: cannot read the header: {excerpt(str(exc))}") from None
    check_columns(path, fields, header, _delimiter_hint(header, delimiter))
    counts = Counter(header)
    twice = [name for name in dict.fromkeys(fields.values()) if counts[name] > 1]
    if twice:
        listed = ", ".join(f"'{excerpt(name)}' ({counts[name]} times)" for name in twice)
        raise IngestError(f"{path}: line {number}: header names column {listed}; expected once")
    return header


def _records(path: Path, lines: list[str], header: int, last: int, fmt: FileFormat) -> pl.DataFrame:
    """Data rows of physical lines header+1..last (1-based), in order: `line` (the first),
    `raw`, `fields`, `problem` (a reading problem, else null) and `well_quoted` (every quote
    opens or closes a whole cell).

    A line whose quotes all close is one record (the common case, found by one regular
    expression over all lines); from a line that leaves a quote open, the record runs to the end
    of the line that closes it. A record longer than allowed becomes one quarantined row per line.
    """
    delimiter = re.escape(fmt.delimiter)
    cell = rf'(?:"(?:[^"]|"")*"(?:[^"{delimiter}][^{delimiter}]*)?|[^"{delimiter}][^{delimiter}]*|)'
    body = pl.DataFrame({"raw": lines[header:last]}, schema={"raw": pl.String})
    closed = body["raw"].str.contains(rf"^{cell}(?:{delimiter}{cell})*$")
    starts = list(range(body.height))
    problems: list[str | None] = [None] * body.height
    after = -1
    for index in (~closed).arg_true().to_list():
        if index <= after:
            continue
        after = _record_end(path, lines, header, index, fmt.delimiter)
        span = after - index + 1
        if span <= fmt.max_lines_per_record:
            starts[index : after + 1] = [index] * span
        else:
            problems[index : after + 1] = [
                f"quoted cell opened on line {header + index + 1} runs over {span} lines; "
                f"the layout allows {fmt.max_lines_per_record}"
            ] * span
    records = body.with_columns(
        line=pl.Series(starts, dtype=pl.Int64) + header + 1, problem=pl.Series(problems, dtype=pl.String)
    )
    if records["line"].n_unique() != records.height:
        records = records.group_by("line", maintain_order=True).agg(
            pl.col("raw").str.join("\n"), pl.col("problem").first()
        )
    quoted_cell = f'(^|{delimiter})"(?:[^"]|"")*"'
    unquoted = pl.col("raw").str.replace_all(quoted_cell, "${1}")
    fields = unquoted.str.count_matches(fmt.delimiter, literal=True).cast(pl.Int64) + 1
    whole_cell = f'(?:"(?:[^"]|"")*"|[^"{delimiter}]*)'
    quoted = records["raw"].str.contains('"', literal=True).arg_true()  # few rows: the regex runs on those
    well_quoted = (
        pl.repeat(True, records.height, eager=True)
        .alias("well_quoted")
        .scatter(
            quoted, records["raw"].gather(quoted).str.contains(f"^{whole_cell}(?:{delimiter}{whole_cell})*$")
        )
    )
    return records.select("line", "raw", fields.alias("fields"), "problem").with_columns(well_quoted)


def _record_end(path: Path, lines: list[str], header: int, index: int, delimiter: str) -> int:
    """Index (into the data lines) of the line that closes the quote opened on line `index`."""
    opening = re.compile(rf'(?:^|{re.escape(delimiter)})"')
    position, quoted = index, False
    while header + position < len(lines):
        line, at = lines[header + position], 0
        while True:
            if quoted:
                at = line.find('"', at)
                if at < 0:
                    break
                if line.startswith('""', at):
                    at += 2
                    continue
                quoted, at = False, at + 1
            else:
                found = opening.search(line, at)
                if found is None:
                    break
                quoted, at = True, found.end()
        if not quoted:
            return position
        position += 1
    raise IngestError(
        f"{path}: line {header + index + 1}: quote opened here never closes "
        f"(the rest of the file, {len(lines) - header - index} lines, would be one row)"
    )


def _check_complete(path: Path, last: dict, header_fields: int, final_newline: bool) -> None:
    """A last row without a final newline and with fewer fields than the header was cut off."""
    if not final_newline and last["problem"] is None and last["fields"] < header_fields:
        raise IngestError(
            f"{path}: line {last['line']}: file is truncated: the last row has {last['fields']} of "
            f"{header_fields} fields and no final newline"
        )


def _rows(
    path: Path, header: str, records: pl.DataFrame, fmt: FileFormat, fields: dict[str, str], width: int
) -> pl.DataFrame:
    """The raw frame: lineage of every record, cells parsed by Polars for the well-formed ones."""
    noun = pl.when(pl.col("fields") == 1).then(pl.lit("field")).otherwise(pl.lit("fields"))
    problem = (
        pl.when(pl.col("problem").is_not_null())
        .then(pl.col("problem"))
        .when(pl.col("raw") == "")
        .then(pl.lit("blank line"))
        .when(pl.col("fields") != width)
        .then(pl.format("row has {} {}, the header has {}", pl.col("fields"), noun, pl.lit(width)))
        .when(~pl.col("well_quoted"))
        .then(pl.lit("quote inside an unquoted cell (a cell holding quotes must be quoted whole)"))
    )
    lineage = records.select(
        "line", "raw", problem.alias("problem"), parse=pl.col("problem").is_null() & pl.col("well_quoted")
    )
    wanted = lineage.filter("parse")
    payload = pl.concat([pl.Series([header]), wanted["raw"]]).str.join("\n").item()
    try:
        cells = pl.read_csv(
            payload.encode(),
            separator=fmt.delimiter,
            columns=list(dict.fromkeys(fields.values())),
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise unreadable(path, f"{fmt.delimiter!r} delimited text", exc) from None
    if cells.height != wanted.height:
        raise IngestError(
            f"{path}: cannot number rows: {wanted.height} records by quote counting, "
            f"{cells.height} parsed; check for unbalanced quotes"
        )
    parsed = pl.concat(
        [
            wanted.select("line"),
            cells.select(pl.col(column).alias(field) for field, column in fields.items()),
        ],
        how="horizontal",
    )
    if parsed.height == lineage.height:
        return pl.concat([lineage.drop("parse"), parsed.drop("line")], how="horizontal")
    return lineage.drop("parse").join(parsed, on="line", how="left", maintain_order="left")


def _utf8_payload(path: Path, data: bytes, encoding: str) -> bytes:
    """Check the bytes decode in the configured encoding and return them as UTF-8 without a BOM."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise IngestError(f"{path}: unknown encoding '{excerpt(encoding)}'") from None
    _refuse_binary(path, data, codec.name)
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


def _refuse_binary(path: Path, data: bytes, codec: str) -> None:
    """Name what a file is when its first bytes say it is not text in the configured encoding: a
    decoding error at byte 1 would hide the cause (a compressed or misnamed delivery)."""
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            raise IngestError(f"{path}: {what}")
    if data.startswith(UTF16_BOMS) and not codec.startswith("utf-16"):
        raise IngestError(
            f"{path}: is UTF-16 (it starts with a UTF-16 byte-order mark); set format.encoding: utf-16"
        )


def _delimiter_hint(header: list[str], delimiter: str) -> str:
    """When the header looks split by another delimiter, say so: it is the usual cause."""
    for other in COMMON_DELIMITERS:
        if other != delimiter and any(other in name for name in header):
            return f" (expected {delimiter!r} delimited; found {other!r})"
    return ""
