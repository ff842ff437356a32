"""Corpus files delivered as a partner's settlement file to a real `recon run` subprocess: a refused
file fails its partner in one line while the other partners publish; quarantined rows are
published, with their reason, in a balanced day."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from corpus_cases import CORPUS
from fixture_copy import copy_fixtures
from recon_cli import recon_run

from recon.store import Layout

DAY = "2026-11-02"
STRIPE_FILE = Path("landing/stripe_us/stripe_balance_2026-11-02.csv")


def run_with_stripe_file(tmp_path: Path, corpus_file: str) -> subprocess.CompletedProcess[str]:
    copy_fixtures(tmp_path, stripe_us={"checks": {"max_quarantine_share": "1"}})
    shutil.copyfile(CORPUS / corpus_file, tmp_path / STRIPE_FILE)
    return recon_run("run", "--date", DAY, "--config", str(tmp_path / "recon.yaml"), cwd=tmp_path)


def published(tmp_path: Path, partner: str, table: str) -> Path:
    return Layout(tmp_path / "data").result(table, partner, DAY)


@pytest.mark.parametrize(
    ("corpus_file", "expected"),
    [
        ("gzip_as_csv.csv", "is gzip-compressed, not text"),
        ("header_escape_sequences.csv", "'\\x1b[2J\\x1b]0;pwned\\x07fee'"),
        ("unclosed_quote.csv", "line 3: quote opened here never closes"),
        ("utf16.csv", "is UTF-16"),
    ],
)
def test_refused_file_fails_its_partner_in_one_line(tmp_path: Path, corpus_file: str, expected: str) -> None:
    done = run_with_stripe_file(tmp_path, corpus_file)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "\x1b" not in done.stderr + done.stdout
    failures = [line for line in done.stderr.splitlines() if line.startswith("failed:")]
    assert len(failures) == 1, done.stderr
    assert failures[0].startswith(f"failed: stripe_us {DAY}: ")
    assert str(tmp_path / STRIPE_FILE) in failures[0] and expected in failures[0]
    assert not published(tmp_path, "stripe_us", "summary").exists()
    for partner in ("adyen_eu", "paypal_gb"):
        assert published(tmp_path, partner, "summary").is_file()


@pytest.mark.parametrize(
    ("corpus_file", "line", "reason"),
    [
        ("nul_bytes.csv", 2, "has control characters"),
        ("stray_quote_mid_cell.csv", 2, "quote inside an unquoted cell"),
        ("very_long_field.csv", 2, "is longer than 1000 characters"),
    ],
)
def test_quarantined_rows_are_published_balanced(
    tmp_path: Path, corpus_file: str, line: int, reason: str
) -> None:
    done = run_with_stripe_file(tmp_path, corpus_file)
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == 0, done.stderr
    quarantine = pl.read_parquet(published(tmp_path, "stripe_us", "quarantine")).filter(
        pl.col("side") == "partner"
    )
    assert quarantine.select("source_line", "reason").rows() == [(line, quarantine["reason"][0])]
    assert reason in quarantine["reason"][0]
    balance = pl.read_parquet(published(tmp_path, "stripe_us", "balance"))
    assert balance["balanced"].all()
    assert balance.filter(pl.col("side") == "partner")["rows_quarantined"].sum() == 1
