"""The `recon` command line, run as the installed console script in a child process, so exit codes
and stderr are the ones a user sees.

Every run writes into a temporary folder (`--data-dir`, `--out`), never into the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from fixture_copy import copy_fixtures

from recon.config import load_config
from recon.pipeline import PUBLISHED
from recon.store import Layout

RECON = Path(sys.executable).with_name("recon")
PARTNERS = ("adyen_eu", "paypal_gb", "stripe_us")
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))
TABLES = (*PUBLISHED, "summary")


def recon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [str(RECON), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False
    )


def _no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stdout + done.stderr, done.stderr


def test_the_console_script_is_installed() -> None:
    assert RECON.is_file(), f"{RECON} missing: install the project into the venv"


def test_demo_reconciles_three_partners_over_three_days(tmp_path: Path) -> None:
    done = recon("demo", "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert "failed" not in done.stderr
    assert "Reconciliation summary" in done.stdout
    for partner in PARTNERS:
        assert partner in done.stdout
    assert done.stdout.count("balanced") == len(PARTNERS) * len(DAYS)
    assert "unbalanced" not in done.stdout
    layout = Layout(tmp_path / "data")
    for partner in PARTNERS:
        for day in DAYS:
            for table in TABLES:
                assert layout.result(table, partner, day).is_file(), (partner, day, table)
    assert pl.read_parquet(layout.result("matches", "adyen_eu", DAYS[0])).height > 0
    assert layout.database.is_file()


def test_run_for_a_date_without_files_fails_naming_the_file(tmp_path: Path) -> None:
    done = recon("run", "--date", "2026-11-09", "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 1
    _no_traceback(done)
    failed = [line for line in done.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == len(PARTNERS), done.stderr
    for partner, line in zip(PARTNERS, failed, strict=True):
        assert line.startswith(f"failed: {partner} 2026-11-09: ")
        assert line.endswith("ledger_2026-11-09.csv: file not found")


def test_a_partner_without_its_file_fails_alone(tmp_path: Path) -> None:
    copy_fixtures(tmp_path)
    missing = tmp_path / "landing" / "paypal_gb" / "STL-20261102.tsv"
    missing.unlink()
    done = recon("run", "--date", "2026-11-02", "--config", str(tmp_path / "recon.yaml"), cwd=tmp_path)
    assert done.returncode == 1
    _no_traceback(done)
    assert done.stderr.splitlines() == [f"failed: paypal_gb 2026-11-02: {missing}: file not found"]
    layout = Layout(tmp_path / "data")
    assert layout.result("matches", "adyen_eu", DAYS[0]).is_file()
    assert layout.result("matches", "stripe_us", DAYS[0]).is_file()
    assert not layout.result("matches", "paypal_gb", DAYS[0]).exists()


def test_an_error_naming_a_bracketed_column_is_printed_verbatim(tmp_path: Path) -> None:
    copy_fixtures(tmp_path)
    settlement = tmp_path / "landing" / "stripe_us" / "stripe_balance_2026-11-02.csv"
    header, rest = settlement.read_text(encoding="utf-8").split("\n", 1)
    settlement.write_text(header.replace("payment_metadata[order_id]", "order_id") + "\n" + rest)
    done = recon(
        "run",
        "--date",
        "2026-11-02",
        "-p",
        "stripe_us",
        "--config",
        str(tmp_path / "recon.yaml"),
        cwd=tmp_path,
    )
    assert done.returncode == 1
    _no_traceback(done)
    [line] = done.stderr.splitlines()
    assert line.startswith(f"failed: stripe_us 2026-11-02: {settlement}: missing columns ")
    assert "'payment_metadata[order_id]'" in line


@pytest.mark.parametrize("partner", ["nope", "stripe[us]", "[/]"])
def test_unknown_partner_exits_1_with_one_line(tmp_path: Path, partner: str) -> None:
    done = recon(
        "run",
        "--date",
        "2026-11-02",
        "--partner",
        partner,
        "--data-dir",
        str(tmp_path / "data"),
        cwd=tmp_path,
    )
    assert done.returncode == 1
    _no_traceback(done)
    assert done.stderr.splitlines() == [
        f"error: unknown partner '{partner}' (configured: adyen_eu, paypal_gb, stripe_us)"
    ]
    assert done.stdout == ""
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("text", ["02/11/2026", "2026-11-31", "yesterday"])
def test_a_bad_date_is_a_usage_error(tmp_path: Path, text: str) -> None:
    done = recon("run", "--date", text, "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 2
    _no_traceback(done)
    assert f"'{text}' is not a date in YYYY-MM-DD form" in done.stderr
    assert not (tmp_path / "data").exists()


def test_generate_writes_a_loadable_config_and_its_truth(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    done = recon("generate", "--rows", "2000", "--seed", "3", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert "wrote 2,000 partner and 2,000 ledger records for 1 partner(s) over 1 day(s)" in done.stdout

    config = load_config(out / "recon.yaml")
    assert config.data_dir == (out / "data").resolve()
    [partner_id] = config.partners
    partner = config.partner(partner_id)
    assert (partner.source.path / partner.source.file_name(DAYS[0])).is_file()
    assert (config.ledger.source.path / config.ledger.source.file_name(DAYS[0])).is_file()

    truth = pl.read_parquet(out / "truth.parquet")
    assert truth.group_by("side").len().sort("side").rows() == [("ledger", 2000), ("partner", 2000)]
    assert truth["partner"].unique().to_list() == [partner_id]
    assert truth["record_id"].n_unique() == truth.height
