"""Child process for one timed measurement, so that peak memory belongs to that step alone.

`python -m benchmarks.match_stage match <config> <partner> <date> <data_dir>` runs the full
match stage (every rule, writing every output) over canonical Parquet already ingested;
`... bare <partner.parquet> <ledger.parquet> <out.parquet>` runs a bare DuckDB hash join on the
reference over the same files. Prints wall seconds and peak RSS in bytes as JSON.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from recon.config import load_config
from recon.pipeline import reconcile_partner_day
from recon.sql import parquet, quote
from recon.store import Layout


def _match(config_path: str, partner_id: str, day: str, data_dir: str) -> None:
    config = load_config(config_path)
    reconcile_partner_day(config, partner_id, date.fromisoformat(day), Layout(Path(data_dir)))


def _bare(partner_file: str, ledger_file: str, out: str) -> None:
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * FROM {parquet(partner_file)} p "
            f"JOIN {parquet(ledger_file)} l USING (reference)) TO {quote(out)} (FORMAT parquet)"
        )


def main() -> None:
    step, *args = sys.argv[1:]
    started = time.perf_counter()
    {"match": _match, "bare": _bare}[step](*args)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak_bytes": peak}))


if __name__ == "__main__":
    main()
