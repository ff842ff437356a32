"""Second half of `make bench`: 30 business days of one partner at 1M rows a day, in order.

Each day runs in a process of its own, as a scheduled run or a backfill step does in Dagster,
so a day's figures are its own and not those of a process that has already run many days.
Prints, per day, the open items carried in, how many carried items the day closed or moved to
another break, the time of each step, its peak memory, and whether the day wrote a checkpoint
of the open set (recon.open_index); then it re-runs the sixth day and the last day before the
first checkpoint (the one that reads the most carry files) alternately, so that a small and a
large open pool are timed on the same machine state. One can see whether
a day's cost follows the day's volume or the size of the growing pool. Generated data is kept
under bench_data/ and reused. `BENCH_DAYS` and `BENCH_DAY_ROWS` change the workload.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl

from recon.config import load_config
from recon.daily_summary import summarise_partner_day
from recon.pipeline import ingest_ledger_day, ingest_partner_day, reconcile_partner_day
from recon.sources import local_dates
from recon.store import Layout
from recon.synth import generate

ROOT = Path(__file__).resolve().parent.parent / "bench_data"
DAYS = int(os.environ.get("BENCH_DAYS", "30"))
ROWS = int(os.environ.get("BENCH_DAY_ROWS", "1000000"))
OUT_DIR = ROOT / f"days_{DAYS}_rows_{ROWS}"
GIB = 1024**3


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run_one_day(day: date) -> None:
    """Child process: ingest, reconcile and summarise one day; print its figures as JSON."""
    config = load_config(OUT_DIR / "recon.yaml")
    partner_id = sorted(config.partners)[0]
    layout = Layout(config.data_dir)
    ingest = _timed(lambda: ingest_ledger_day(config, day, layout))
    ingest += _timed(lambda: ingest_partner_day(config, partner_id, day, layout))
    match = _timed(lambda: reconcile_partner_day(config, partner_id, day, layout))
    summary = _timed(lambda: summarise_partner_day(config, partner_id, day, layout))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"ingest": ingest, "match": match, "summary": summary, "peak_bytes": peak}))


def main() -> None:
    if not (OUT_DIR / "recon.yaml").exists():
        seconds = _timed(lambda: generate(OUT_DIR, rows=ROWS, seed=11, partners=1, days=DAYS))
        print(f"generated {DAYS} days x {ROWS:,} rows per side in {seconds:.1f} s", flush=True)
    config = load_config(OUT_DIR / "recon.yaml")
    partner_id = sorted(config.partners)[0]
    layout = Layout(config.data_dir)
    print(
        f"{'date':<11} {'open before':>11} {'changed':>8} {'ingest s':>8} {'match s':>8} {'summary s':>9} "
        f"{'peak GiB':>8} checkpoint"
    )
    open_before = 0
    pools = {}
    checkpoints = []
    for day in local_dates(config.ledger.source):
        pools[day] = open_before
        figures = _day_in_child(day)
        checkpoint = layout.result("open_index", partner_id, day).is_file()
        changed = _changed(layout, partner_id, day)
        if checkpoint:
            checkpoints.append(day)
        print(
            f"{day!s:<11} {open_before:>11,} {changed:>8,} {figures['ingest']:>8.2f} "
            f"{figures['match']:>8.2f} {figures['summary']:>9.2f} {figures['peak_bytes'] / GIB:>8.2f} "
            f"{'yes' if checkpoint else ''}",
            flush=True,
        )
        totals = pl.read_parquet(layout.result("summary", partner_id, day))
        open_before = int(totals["open_breaks"].sum() + totals["pending_items"].sum())
    days = [day for day in pools if not checkpoints or day < checkpoints[0]]
    _rerun_alternately(days[min(5, len(days) - 1)], days[-1], pools)


def _day_in_child(day: date) -> dict:
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.days_bench", day.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def _rerun_alternately(early: date, last: date, pools: dict[date, int], rounds: int = 3) -> None:
    """Re-run an early day and the last day in place, alternately, so that both see the same
    machine: the run above spans many minutes, over which even ingest (which never reads the
    open pool) drifts. Outputs are deterministic, so a re-run rewrites the same bytes."""
    runs: dict[date, list[dict]] = {early: [], last: []}
    for _ in range(rounds):
        for day in runs:
            runs[day].append(_day_in_child(day))
    for day, figures in runs.items():
        medians = {
            step: statistics.median(run[step] for run in figures) for step in ("ingest", "match", "summary")
        }
        print(
            f"re-run {day} (open before {pools[day]:,}) {rounds}x alternately, median: ingest "
            f"{medians['ingest']:.2f} s, match {medians['match']:.2f} s, summary {medians['summary']:.2f} s"
        )


def _changed(layout: Layout, partner_id: str, day: date) -> int:
    """Carried items whose state the day changed: the balance's rows in beyond the day's records."""
    balance = pl.read_parquet(layout.result("balance", partner_id, day))
    new_records = sum(
        pl.scan_parquet(layout.canonical(side, partner_id, day)).select(pl.len()).collect().item()
        for side in ("partner", "ledger")
    )
    return int(balance["rows_in"].sum() - balance["rows_quarantined"].sum()) - new_records


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run_one_day(date.fromisoformat(sys.argv[1]))
    else:
        main()
