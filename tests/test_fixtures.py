"""The bundled fixtures reconcile exactly as fixtures/expected/ (and fixtures/README.md) say.

Each partner and business day is run through the pipeline into a temporary data directory and
its matches, breaks and quarantine are compared with the hand-written CSVs as multisets of rows.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from recon.config import ReconConfig, load_config
from recon.store import Layout

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PARTNERS = ("adyen_eu", "stripe_us", "paypal_gb")
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))

MATCH_COLUMNS = ("partner_record_id", "ledger_record_id", "rule", "amount_diff_minor", "date_diff_days")
BREAK_COLUMNS = ("break_type", "side", "partner_record_id", "ledger_record_id")


@pytest.fixture(scope="module")
def config() -> ReconConfig:
    return load_config(FIXTURES / "recon.yaml")


def _expected(partner: str, day: date, name: str) -> list[dict[str, str]]:
    path = FIXTURES / "expected" / partner / day.isoformat() / f"{name}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _rows(records: list[dict[str, str]], columns: tuple[str, ...]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(record[column] for column in columns) for record in records)


def _actual(frame: pl.DataFrame, columns: tuple[str, ...]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(_cell(value) for value in row) for row in frame.select(columns).iter_rows())


def _data_lines(path: Path, delimiter: str) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


CASES = [pytest.param(partner, day, id=f"{partner}-{day}") for partner in PARTNERS for day in DAYS]


@pytest.mark.parametrize(("partner", "day"), CASES)
def test_pipeline_output_equals_expected(tmp_path: Path, config: ReconConfig, partner: str, day: date):
    from recon.pipeline import run_day

    run_day(config, day, partner_ids=[partner], data_dir=tmp_path)
    results = Layout(tmp_path).result("matches", partner, day).parent

    matches = pl.read_parquet(results / "matches.parquet")
    assert _actual(matches, MATCH_COLUMNS) == _rows(_expected(partner, day, "matches"), MATCH_COLUMNS)

    breaks = pl.read_parquet(results / "breaks.parquet")
    assert _actual(breaks, BREAK_COLUMNS) == _rows(_expected(partner, day, "breaks"), BREAK_COLUMNS)

    quarantine = pl.read_parquet(results / "quarantine.parquet")
    actual = {(row["side"], row["record_id"]): row["reason"] for row in quarantine.iter_rows(named=True)}
    assert quarantine.height == len(actual), "a quarantined record appears more than once"
    expected = {
        (row["side"], row["record_id"]): row["reason_contains"]
        for row in _expected(partner, day, "quarantine")
    }
    assert set(actual) == set(expected)
    for key, fragment in expected.items():
        reason = _cell(actual[key])
        assert fragment.lower() in reason.lower(), f"{key}: reason {reason!r} does not mention {fragment!r}"


@pytest.mark.parametrize(("partner", "day"), CASES)
def test_expected_files_place_every_row_exactly_once(config: ReconConfig, partner: str, day: date) -> None:
    partner_config = config.partner(partner)
    partner_file = partner_config.source.path / partner_config.source.file_name(day)
    ledger_file = config.ledger.source.path / config.ledger.source.file_name(day)
    counterparty = config.ledger.format.columns.partner
    assert counterparty is not None

    partner_ids = [
        f"{partner_file.name}:{line}"
        for line, _ in enumerate(_data_lines(partner_file, partner_config.format.delimiter), start=2)
    ]
    ledger_ids = [
        f"{ledger_file.name}:{line}"
        for line, row in enumerate(_data_lines(ledger_file, config.ledger.format.delimiter), start=2)
        if row[counterparty] == partner_config.code_in_ledger
    ]

    placed: Counter[tuple[str, str]] = Counter()
    for row in _expected(partner, day, "matches"):
        placed["partner", row["partner_record_id"]] += 1
        placed["ledger", row["ledger_record_id"]] += 1
    for row in _expected(partner, day, "breaks"):
        if row["partner_record_id"]:
            placed["partner", row["partner_record_id"]] += 1
        if row["ledger_record_id"]:
            placed["ledger", row["ledger_record_id"]] += 1
    for row in _expected(partner, day, "quarantine"):
        placed[row["side"], row["record_id"]] += 1

    wanted = Counter([("partner", record_id) for record_id in partner_ids])
    wanted.update(("ledger", record_id) for record_id in ledger_ids)
    assert placed == wanted
