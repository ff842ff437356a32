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
import yaml
from fixture_copy import copy_fixtures

from recon.config import load_config
from recon.pipeline import PUBLISHED
from recon.store import Layout

RECON = Path(sys.executable).with_name("recon")
BUNDLED = str(Path(__file__).resolve().parents[1] / "fixtures" / "recon.yaml")
PARTNERS = ("adyen_eu", "paypal_gb", "stripe_us")
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))
TABLES = (*PUBLISHED, "summary")


def recon(*args: str, cwd: Path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", **env_vars}
    env.pop("FORCE_COLOR", None)
    if "RECON_CONFIG" not in env_vars:
        env.pop("RECON_CONFIG", None)
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
    done = recon(
        "run", "--date", "2026-11-09", "--config", BUNDLED, "--data-dir", str(tmp_path / "data"), cwd=tmp_path
    )
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
def test_unknown_partner_exits_2_with_one_line(tmp_path: Path, partner: str) -> None:
    done = recon(
        "run",
        "--date",
        "2026-11-02",
        "--partner",
        partner,
        "--config",
        BUNDLED,
        "--data-dir",
        str(tmp_path / "data"),
        cwd=tmp_path,
    )
    assert done.returncode == 2
    _no_traceback(done)
    assert done.stderr.splitlines() == [
        f"error: unknown partner '{partner}' (configured: adyen_eu, paypal_gb, stripe_us)"
    ]
    assert done.stdout == ""
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("02/11/2026", "'02/11/2026' is not a date in YYYY-MM-DD form"),
        ("yesterday", "'yesterday' is not a date in YYYY-MM-DD form"),
        (
            "\uff12\uff10\uff12\uff16-11-02",
            "'\uff12\uff10\uff12\uff16-11-02' is not a date in YYYY-MM-DD form",
        ),
        ("2026-11-31", "2026-11-31 is not a valid date: day is out of range for month"),
        ("2026-13-01", "2026-13-01 is not a valid date: month must be in 1..12"),
    ],
    ids=["slashes", "word", "fullwidth-digits", "day-out-of-range", "month-out-of-range"],
)
def test_a_bad_date_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    done = recon(
        "run", "--date", text, "--config", BUNDLED, "--data-dir", str(tmp_path / "data"), cwd=tmp_path
    )
    assert done.returncode == 2
    _no_traceback(done)
    assert done.stderr.splitlines() == [f"error: --date: {message}"]
    assert not (tmp_path / "data").exists()


def test_run_without_a_configuration_exits_2_saying_how_to_give_one(tmp_path: Path) -> None:
    done = recon("run", "--date", "2026-11-02", cwd=tmp_path)
    assert done.returncode == 2
    _no_traceback(done)
    assert done.stderr.splitlines() == [
        "error: no configuration: pass --config PATH or set RECON_CONFIG (`recon demo` runs the bundled one)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_run_takes_the_configuration_from_recon_config(tmp_path: Path) -> None:
    copy_fixtures(tmp_path)
    done = recon(
        "run", "-d", "2026-11-02", "-p", "stripe_us", cwd=tmp_path, RECON_CONFIG=str(tmp_path / "recon.yaml")
    )
    assert done.returncode == 0, done.stderr
    assert Layout(tmp_path / "data").result("matches", "stripe_us", DAYS[0]).is_file()


def test_a_missing_configuration_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    done = recon("run", "--date", "2026-11-02", "--config", str(missing), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: {missing}: configuration file not found"]


def test_a_data_dir_under_a_file_exits_2_naming_the_flag(tmp_path: Path) -> None:
    blocker = tmp_path / "somefile"
    blocker.write_text("not a folder\n", encoding="utf-8")
    done = recon(
        "run", "--date", "2026-11-02", "--config", BUNDLED, "--data-dir", str(blocker / "x"), cwd=tmp_path
    )
    assert done.returncode == 2
    _no_traceback(done)
    assert done.stderr.splitlines() == [
        f"error: --data-dir: cannot use {blocker / 'x'} as the data directory: "
        f"{blocker} is a file, not a folder"
    ]


def test_a_data_dir_key_under_a_file_exits_2_naming_the_file_and_key(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    blocker = tmp_path / "somefile"
    blocker.write_text("not a folder\n", encoding="utf-8")
    path = config.config_path
    assert path is not None
    path.write_text(path.read_text(encoding="utf-8").replace("data_dir: data", "data_dir: somefile/x"))
    done = recon("demo", "--config", str(path), cwd=tmp_path)
    assert done.returncode == 2
    _no_traceback(done)
    assert done.stderr.splitlines() == [
        f"error: {path}: data_dir: cannot use {blocker / 'x'} as the data directory: "
        f"{blocker} is a file, not a folder"
    ]


MARKUP = ":x: [red]x[/red] [bold]"


def test_a_file_name_with_markup_and_emoji_codes_is_printed_verbatim(tmp_path: Path) -> None:
    copy_fixtures(
        tmp_path,
        stripe_us={"source": {"kind": "local", "path": "landing", "pattern": MARKUP + "{date:%Y%m%d}.csv"}},
    )
    done = recon(
        "run", "-d", "2026-11-02", "-p", "stripe_us", "-c", str(tmp_path / "recon.yaml"), cwd=tmp_path
    )
    assert done.returncode == 1
    _no_traceback(done)
    missing = tmp_path / "landing" / f"{MARKUP}20261102.csv"
    assert done.stderr.splitlines() == [f"failed: stripe_us 2026-11-02: {missing}: file not found"]
    assert "\N{CROSS MARK}" not in done.stdout + done.stderr


def test_a_column_name_with_markup_and_emoji_codes_is_printed_verbatim(tmp_path: Path) -> None:
    copy_fixtures(tmp_path)
    path = tmp_path / "recon.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["partners"]["stripe_us"]["format"]["columns"]["reference"] = MARKUP
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    done = recon("run", "-d", "2026-11-02", "-p", "stripe_us", "-c", str(path), cwd=tmp_path)
    assert done.returncode == 1
    _no_traceback(done)
    [line] = done.stderr.splitlines()
    assert line.startswith("failed: stripe_us 2026-11-02: ")
    assert f"missing columns '{MARKUP}'; found " in line, line
    assert "\N{CROSS MARK}" not in done.stdout + done.stderr


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
