"""`make bench`: generate 1M and 10M rows per side, ingest, then time the match stage
against a bare DuckDB hash join on the reference over the same canonical Parquet files.

Every step runs in a process of its own (benchmarks.match_stage), so each peak memory figure is
that step's alone (a forked child would otherwise inherit its parent's peak). Generated and
ingested data is kept under bench_data/ (git-ignored) and reused when present.
`BENCH_ROWS=100000 make bench` runs other sizes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "bench_data"
SIZES = tuple(int(size) for size in os.environ.get("BENCH_ROWS", "1000000,10000000").split(","))
GIB = 1024**3


def _child(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.match_stage", *args], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _line(label: str, figures: dict) -> str:
    return f"  {label:<29} {figures['seconds']:7.2f} s  peak {figures['peak_bytes'] / GIB:5.2f} GiB"


def main() -> None:
    for rows in SIZES:
        print(f"{rows:,} rows per side", flush=True)
        prepared = _child("prepare", str(ROOT / f"rows_{rows}"), str(rows))
        for step in ("generate", "ingest"):
            if step in prepared:
                print(_line(step, prepared[step]), flush=True)
        files = prepared["files"]
        bare = _child("bare", files["partner"], files["ledger"], files["bare_out"])
        match = _child("match", files["config"], files["partner_id"], files["date"], files["data_dir"])
        print(_line("bare hash join on reference", bare))
        print(_line("full match stage", match))
        print(f"  {'match stage / bare join':<29} {match['seconds'] / bare['seconds']:7.2f} x", flush=True)


if __name__ == "__main__":
    main()
