"""Runs of one partner never interleave, and derived figures are never inherited from an earlier
day. Real processes, real files."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from fixture_copy import copy_fixtures

from recon.pipeline import run_day
from recon.store import Layout

D2, D3 = date(2026, 11, 2), date(2026, 11, 3)
HOLD = """
import sys, time
from pathlib import Path
from recon.locks import partner_lock
with partner_lock(Path(sys.argv[1]), sys.argv[2], timeout=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _hold(data_dir: Path, partner: str, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data_dir), partner, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_run_of_a_partner_refuses_after_its_wait_and_the_others_still_run(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    config = config.model_copy(
        update={"engine": config.engine.model_copy(update={"lock_timeout_seconds": 0.3})}
    )
    holder = _hold(config.data_dir, "stripe_us", 5)
    try:
        results = {result.partner: result for result in run_day(config, D2)}
    finally:
        holder.kill()
        holder.wait()
    error = str(results["stripe_us"].error)
    assert error.startswith(f"stripe_us: another run holds the partner's lock (pid {holder.pid} since ")
    assert "waited 0.3 s" in error
    assert results["adyen_eu"].ok and results["paypal_gb"].ok
    assert not Layout(config.data_dir).result("carry", "stripe_us", D2).exists()


def test_a_second_run_waits_for_the_first_and_then_completes(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    holder = _hold(config.data_dir, "stripe_us", 1.5)
    started = time.monotonic()
    (result,) = run_day(config, D2, ["stripe_us"])
    waited = time.monotonic() - started
    holder.wait()
    assert result.ok, result.error
    assert waited >= 1.0


def test_a_killed_holder_never_leaves_the_partner_locked(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    holder = _hold(config.data_dir, "stripe_us", 60)
    holder.kill()
    holder.wait()
    (result,) = run_day(config, D2, ["stripe_us"])
    assert result.ok, result.error


def test_two_runs_of_one_day_started_together_both_finish_with_the_results_of_one(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    recon = Path(sys.executable).with_name("recon")
    args = [
        str(recon),
        "run",
        "--config",
        str(config.config_path),
        "--date",
        str(D2),
        "--partner",
        "adyen_eu",
    ]
    runs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outcomes = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes
    layout = Layout(config.data_dir)
    concurrent = {table: layout.result(table, "adyen_eu", D2).read_bytes() for table in ("matches", "breaks")}
    alone = copy_fixtures(tmp_path / "alone")
    assert run_day(alone, D2, ["adyen_eu"])[0].ok
    for table, data in concurrent.items():
        assert Layout(alone.data_dir).result(table, "adyen_eu", D2).read_bytes() == data


def _tally_counted_from_open_breaks(layout: Layout, day: date) -> pl.DataFrame:
    with duckdb.connect(str(layout.database), read_only=True) as con:
        return con.sql(
            f"""SELECT break_type, currency, first_seen, count(*)::BIGINT AS items,
                   sum(abs(coalesce(partner_amount_minor, ledger_amount_minor)))::BIGINT AS amount_minor
            FROM open_breaks WHERE partner = 'stripe_us' AND as_of = DATE '{day}' GROUP BY ALL ORDER BY ALL"""
        ).pl()


def test_a_wrong_or_lost_tally_of_one_day_is_never_inherited(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    assert all(result.ok for result in run_day(config, D2))
    layout = Layout(config.data_dir)
    tally = layout.result("open_tally", "stripe_us", D2)
    wrong = pl.read_parquet(tally).with_columns(items=pl.col("items") * 10)  # what a race once left
    wrong.write_parquet(tally)

    assert all(result.ok for result in run_day(config, D3))
    assert pl.read_parquet(layout.result("open_tally", "stripe_us", D3)).equals(
        _tally_counted_from_open_breaks(layout, D3)
    )

    layout.result("open_tally", "stripe_us", D3).unlink()  # killed before the tally was written
    (again,) = run_day(config, date(2026, 11, 4), ["stripe_us"])
    assert again.ok, again.error
