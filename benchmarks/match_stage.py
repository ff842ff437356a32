"""Child process for one measured step, so that peak memory belongs to that step alone.

- `prepare <dir> <rows>`: generate one partner-day (once) and ingest it (once); prints the
  figures of what it did and the paths the other steps need.
- `bare <partner.parquet> <ledger.parquet> <out.parquet>`: a bare DuckDB hash join on the
  reference over the canonical files, written to Parquet.
- `match <config> <partner> <date> <data_dir>`: the full match stage (every rule, lifecycle,
  balance, writing every output) over the canonical files.
Prints JSON: seconds and peak RSS in bytes.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from recon.config import load_config
from recon.pipeline import ingest_ledger_day, ingest_partner_day, reconcile_partner_day
from recon.sources import local_dates
from recon.sql import parquet, quote
from recon.store import Layout
from recon.synth import generate


def _measured(action: Callable[[], object]) -> dict:
    started = time.perf_counter()
    action()
    return {"seconds": time.perf_counter() - started, "peak_bytes": _peak()}


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _prepare(out_dir: str, rows: str) -> dict:
    root, figures = Path(out_dir), {}
    if not (root / "recon.yaml").exists():
        figures["generate"] = _measured(lambda: generate(root, rows=int(rows), seed=7))
    config = load_config(root / "recon.yaml")
    partner_id = sorted(config.partners)[0]
    business_date = local_dates(config.ledger.source)[0]
    layout = Layout(config.data_dir)
    partner_file = layout.canonical("partner", partner_id, business_date)
    if not partner_file.exists():

        def ingest() -> None:
            ingest_ledger_day(config, business_date, layout, [partner_id])
            ingest_partner_day(config, partner_id, business_date, layout)

        figures["ingest"] = _measured(ingest)
    figures["files"] = {
        "config": str(root / "recon.yaml"),
        "partner_id": partner_id,
        "date": business_date.isoformat(),
        "data_dir": str(layout.root),
        "partner": str(partner_file),
        "ledger": str(layout.canonical("ledger", partner_id, business_date)),
        "bare_out": str(layout.root / "bare_join.parquet"),
    }
    return figures


def _bare(partner_file: str, ledger_file: str, out: str) -> dict:
    def join() -> None:
        with duckdb.connect() as con:
            con.execute(
                f"COPY (SELECT * FROM {parquet(partner_file)} p "
                f"JOIN {parquet(ledger_file)} l USING (reference)) TO {quote(out)} (FORMAT parquet)"
            )

    return _measured(join)


def _match(config_path: str, partner_id: str, day: str, data_dir: str) -> dict:
    config = load_config(config_path)
    layout = Layout(Path(data_dir))
    return _measured(lambda: reconcile_partner_day(config, partner_id, date.fromisoformat(day), layout))


def main() -> None:
    step, *args = sys.argv[1:]
    print(json.dumps({"prepare": _prepare, "bare": _bare, "match": _match}[step](*args)))


if __name__ == "__main__":
    main()
