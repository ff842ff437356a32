"""The SQL views in `<data_dir>/recon.duckdb` cover every Parquet file written so far.

After each business day of the bundled fixtures is run through the pipeline, the database is
opened read-only and every view's row count and columns are compared with the files it reads.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from recon.config import load_config
from recon.pipeline import run_day
from recon.store import Layout

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))
RESULT_VIEWS = ("matches", "breaks", "resolved", "quarantine", "balance", "summary")
RECORD_VIEWS = ("partner_records", "ledger_records")


def _files(layout: Layout, view: str) -> list[Path]:
    if view in RECORD_VIEWS:
        side = view.removesuffix("_records")
        return sorted(layout.root.glob(f"partners/*/canonical/side={side}/date=*/records.parquet"))
    return sorted(layout.root.glob(f"partners/*/results/date=*/{view}.parquet"))


def _views(layout: Layout) -> dict[str, tuple[int, list[str]]]:
    """Row count and column names of each view, read from a read-only connection."""
    with duckdb.connect(str(layout.database), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        ]
        return {
            name: (
                con.execute(f"SELECT count(*) FROM {name}").fetchone()[0],
                [column[0] for column in con.execute(f"DESCRIBE {name}").fetchall()],
            )
            for name in names
        }


def _assert_views_match_files(layout: Layout, days_run: int, partners: int) -> dict[str, int]:
    views = _views(layout)
    assert set(views) >= {*RESULT_VIEWS, *RECORD_VIEWS}
    counts = {}
    for view in (*RESULT_VIEWS, *RECORD_VIEWS):
        files = _files(layout, view)
        assert len(files) == partners * days_run, view
        frames = [pl.read_parquet(path) for path in files]
        rows, columns = views[view]
        assert rows == sum(frame.height for frame in frames), view
        assert columns == frames[0].columns, f"{view} must not gain or lose columns"
        counts[view] = rows
    return counts


def test_views_count_every_row_of_their_files_after_each_run(tmp_path: Path) -> None:
    config = load_config(FIXTURES / "recon.yaml")
    layout = Layout(tmp_path / "data")
    counts = []
    for days_run, day in enumerate(DAYS, start=1):
        results = run_day(config, day, data_dir=layout.root)
        assert all(result.ok for result in results), [result.error for result in results]
        if days_run in (1, len(DAYS)):
            counts.append(_assert_views_match_files(layout, days_run, len(config.partners)))
    first, last = counts
    for view in ("matches", "breaks", "quarantine", "partner_records", "ledger_records"):
        assert 0 < first[view] < last[view], view
    assert last["resolved"] > 0
