"""First part of `make bench`: how fast the `recon` console script answers when it has no work.

Runs `recon --help`, `recon run --help` and an argument error (an impossible date) each
`BENCH_CLI_RUNS` times (default 10) as fresh processes and prints the median wall time of each.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RECON = Path(sys.executable).with_name("recon")
RUNS = int(os.environ.get("BENCH_CLI_RUNS", "10"))
CASES = {
    "recon --help": ["--help"],
    "recon run --help": ["run", "--help"],
    "recon run --date 2026-11-31 (argument error)": ["run", "--date", "2026-11-31"],
}


def _wall_time(args: list[str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(RECON), *args], capture_output=True, cwd=cwd, check=False)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as cwd:
        for label, args in CASES.items():
            timings = [_wall_time(args, cwd) for _ in range(RUNS)]
            print(f"{label}: median {statistics.median(timings):.3f} s over {RUNS} runs")


if __name__ == "__main__":
    main()
