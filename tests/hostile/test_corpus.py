"""Every file of the hostile corpus (tests/hostile/corpus_cases.py) read by the real readers.

A refused file raises one short line naming the file (and the line, where it applies) without
echoing it; a read file's rows are all accounted for (canonical + quarantine = data rows, and
header + blank + data + continuation = the physical lines counted here independently), each
quarantined row has the expected reason, and each accepted amount is what the file says,
recomputed here with Decimal from the file's own cells.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from corpus_cases import CASES, CORPUS, Case, Read, Refused
from ingest_support import DAY, fixture_config

from recon.config import FileFormat, PartnerConfig
from recon.errors import ReconError
from recon.ingest import IngestResult, read_ledger_file, read_partner_file
from recon.money import exponent_of

MESSAGE_ROOM = 800  # characters a refusal may add to the file path: bounded by the layout, not the file


@cache
def layouts() -> dict[str, PartnerConfig]:
    """The fixtures' partners, plus variants of stripe_us for formats the fixtures do not use."""
    config = fixture_config()
    stripe = config.partner("stripe_us")

    def variant(**changes: object) -> PartnerConfig:
        return stripe.model_copy(update={"format": stripe.format.model_copy(update=changes)})

    return {
        **config.partners,
        "stripe_multiline": variant(max_lines_per_record=3),
        "stripe_utf16": variant(encoding="utf-16"),
        "stripe_parquet": variant(kind="parquet"),
    }


def layout_format(layout: str) -> FileFormat:
    return fixture_config().ledger.format if layout == "ledger" else layouts()[layout].format


def read(case: Case) -> IngestResult:
    path = CORPUS / case.file
    if case.layout == "ledger":
        config = fixture_config()
        return read_ledger_file(path, config.ledger, config.partners, DAY)
    return read_partner_file(path, layouts()[case.layout], DAY)


def assert_one_clear_line(message: str, path: Path) -> None:
    assert message.startswith(f"{path}: ")
    assert len(message) <= len(str(path)) + MESSAGE_ROOM, len(message)
    assert not re.search(r"[\x00-\x1f\x7f]", message), repr(message)
    assert "Traceback" not in message


def physical_lines(case: Case, fmt: FileFormat) -> int:
    """Lines as the README defines them: ended by LF or CRLF, or by CR in a file without LF;
    a last line without an end counts. Parquet: rows."""
    if fmt.kind == "parquet":
        return pq.read_metadata(io.BytesIO(case.content)).num_rows
    text = case.content.decode(fmt.encoding).removeprefix("\ufeff")
    end = "\n" if "\n" in text else "\r"
    return text.count(end) + (0 if text.endswith(end) else 1)


def file_rows(case: Case, fmt: FileFormat) -> dict[int, dict[str, str]]:
    """Each data row's cells by header name, keyed by its first line (Python's csv module, not ours)."""
    if fmt.kind == "parquet":
        table = pq.read_table(io.BytesIO(case.content)).to_pylist()
        return {index + 2: {k: str(v) for k, v in row.items()} for index, row in enumerate(table)}
    text = case.content.decode(fmt.encoding).removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter)
    rows, header, previous = {}, None, 0
    limit = csv.field_size_limit(2**31 - 1)  # the corpus has a 1 MB cell; restored for recon's reader
    try:
        for cells in reader:
            if cells and header is None:
                header = cells
            elif cells:
                rows[previous + 1] = dict(zip(header, cells, strict=False))
            previous = reader.line_num
    finally:
        csv.field_size_limit(limit)
    return rows


def file_amount(cells: dict[str, str], fmt: FileFormat, currency: str) -> int:
    """The row's signed amount in minor units, as the layout says the file writes it."""
    exponent = exponent_of(currency) if fmt.amount_unit == "major" else 0

    def minor(column: str) -> int:
        text = cells[column].strip()
        if fmt.thousands_separator:
            text = text.replace(fmt.thousands_separator, "")
        value = Decimal(text.replace(fmt.decimal_separator, ".") or "0").scaleb(exponent)
        assert value == value.to_integral_value()
        return int(value)

    sign = fmt.sign
    if sign.mode == "debit_credit":
        return minor(sign.credit) - minor(sign.debit)
    amount = minor(fmt.columns.amount)
    if sign.mode == "indicator":
        credit = cells[sign.column].strip().upper() in {code.upper() for code in sign.credit_values}
        return amount if credit else -amount
    return -amount if sign.negate else amount


def assert_accounted(case: Case, result: IngestResult, outcome: Read) -> None:
    fmt = layout_format(case.layout)
    source = result.source
    assert source.physical_lines == physical_lines(case, fmt)
    parts = source.header_lines + source.blank_lines + source.data_rows + source.continuation_lines
    assert parts == source.physical_lines
    assert result.records.height + result.quarantine.height == source.data_rows
    lines = [*result.records["source_line"], *result.quarantine["source_line"]]
    assert len(set(lines)) == len(lines)
    assert result.records.height == outcome.records
    found = dict(result.quarantine.select("source_line", "reason").iter_rows())
    assert sorted(found) == sorted(outcome.quarantined), found
    for line, expected in outcome.quarantined.items():
        assert expected in found[line], (line, found[line])
    rows = file_rows(case, fmt)
    expected_sums: Counter[str] = Counter()
    for record in result.records.iter_rows(named=True):
        amount = file_amount(rows[record["source_line"]], fmt, record["currency"])
        assert record["amount_minor"] == amount, record
        expected_sums[record["currency"]] += amount
    sums = result.records.group_by("currency").agg(pl.col("amount_minor").sum())
    assert dict(sums.iter_rows()) == dict(expected_sums)


def test_the_corpus_is_large_and_on_disk_as_described() -> None:
    assert len(CASES) >= 60
    assert len({case.file for case in CASES}) == len(CASES)
    assert sorted(path.name for path in CORPUS.iterdir()) == sorted(case.file for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.file)
def test_corpus_file(case: Case) -> None:
    path = CORPUS / case.file
    assert path.read_bytes() == case.content, "run tests/hostile/corpus_cases.py to rewrite the corpus"
    if isinstance(case.outcome, Refused):
        with pytest.raises(ReconError) as error:
            read(case)
        message = str(error.value)
        assert_one_clear_line(message, path)
        assert case.outcome.text in message
        if case.outcome.line is not None:
            assert f"line {case.outcome.line}" in message
    else:
        assert_accounted(case, read(case), case.outcome)
