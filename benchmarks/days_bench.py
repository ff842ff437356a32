"""Second half of `make bench`: 30 business days of one partner at 1M rows a day, in order.

Prints, per day, the open items carried in, how many of them took part in the day's matching,
the time of each step, and whether the day wrote a checkpoint of the open set (recon.open_index),
so one can see whether a day's cost follows the day's volume or the size of the growing open
pool. Generated data is kept under bench_data/ and reused. `BENCH_DAYS` and `BENCH_DAY_ROWS`
change the workload.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
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


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    out_dir = ROOT / f"days_{DAYS}_rows_{ROWS}"
    if not (out_dir / "recon.yaml").exists():
        seconds = _timed(lambda: generate(out_dir, rows=ROWS, seed=11, partners=1, days=DAYS))
        print(f"generated {DAYS} days x {ROWS:,} rows per side in {seconds:.1f} s", flush=True)
    config = load_config(out_dir / "recon.yaml")
    partner_id = sorted(config.partners)[0]
    layout = Layout(config.data_dir)
    print(
        f"{'date':<11} {'open before':>11} {'took part':>9} {'ingest s':>8} {'match s':>8} {'summary s':>9} "
        "checkpoint"
    )
    open_before = 0
    for day in local_dates(config.ledger.source):
        ingest = _timed(lambda day=day: ingest_ledger_day(config, day, layout))
        ingest += _timed(lambda day=day: ingest_partner_day(config, partner_id, day, layout))
        match = _timed(lambda day=day: reconcile_partner_day(config, partner_id, day, layout))
        summary = _timed(lambda day=day: summarise_partner_day(config, partner_id, day, layout))
        balance = pl.read_parquet(layout.result("balance", partner_id, day))
        took_part = int(balance["rows_in"].sum() - balance["rows_quarantined"].sum()) - 2 * ROWS
        checkpoint = "yes" if layout.result("open_index", partner_id, day).is_file() else ""
        print(
            f"{day!s:<11} {open_before:>11,} {took_part:>9,} {ingest:>8.2f} {match:>8.2f} {summary:>9.2f} "
            f"{checkpoint}",
            flush=True,
        )
        totals = pl.read_parquet(layout.result("summary", partner_id, day))
        open_before = int(totals["open_breaks"].sum() + totals["pending_items"].sum())


if __name__ == "__main__":
    main()
