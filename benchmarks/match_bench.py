"""`make bench`: generate 1M and 10M rows per side, ingest, then time the match stage
against a bare DuckDB hash join on the reference over the same canonical Parquet files.

Each timed step runs in its own process (benchmarks.match_stage) so its peak memory is its
own. Generated data is kept under bench_data/ (git-ignored) and reused when present.
`BENCH_ROWS=100000 make bench` runs other sizes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from recon.config import load_config
from recon.pipeline import run_day
from recon.sources import local_dates
from recon.store import Layout
from recon.synth import generate

ROOT = Path(__file__).resolve().parent.parent / "bench_data"
SIZES = tuple(int(size) for size in os.environ.get("BENCH_ROWS", "1000000,10000000").split(","))
GIB = 1024**3


def _child(*args: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.match_stage", *args], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _timed(label: str, action) -> None:
    started = time.perf_counter()
    action()
    print(f"  {label:<29} {time.perf_counter() - started:7.2f} s", flush=True)


def _prepare(rows: int) -> tuple[Path, str, date, Layout]:
    """Generate (once) and ingest one partner-day of `rows` records per side."""
    out_dir = ROOT / f"rows_{rows}"
    config_path = out_dir / "recon.yaml"
    if not config_path.exists():
        _timed("generate", lambda: generate(out_dir, rows=rows, seed=7, partners=1, days=1))
    config = load_config(config_path)
    partner_id = sorted(config.partners)[0]
    business_date = local_dates(config.ledger.source)[0]
    _timed("ingest + match + publish", lambda: run_day(config, business_date, [partner_id]))
    return config_path, partner_id, business_date, Layout(config.data_dir)


def main() -> None:
    for rows in SIZES:
        print(f"{rows:,} rows per side", flush=True)
        config_path, partner_id, business_date, layout = _prepare(rows)
        partner_file = layout.canonical("partner", partner_id, business_date)
        ledger_file = layout.canonical("ledger", partner_id, business_date)
        bare = _child("bare", str(partner_file), str(ledger_file), str(layout.root / "bare_join.parquet"))
        match = _child("match", str(config_path), partner_id, business_date.isoformat(), str(layout.root))
        for label, figures in (("bare hash join on reference", bare), ("full match stage", match)):
            print(f"  {label:<29} {figures['seconds']:7.2f} s  peak {figures['peak_bytes'] / GIB:5.2f} GiB")
        print(f"  {'match stage / bare join':<29} {match['seconds'] / bare['seconds']:7.2f} x", flush=True)


if __name__ == "__main__":
    main()
