"""Where everything lives under the data directory, and how files are written safely.

A partner's state lives in version folders reached through one pointer per partner
(recon.versions): `partners/<partner>/` holds `canonical/side=<side>/date=<date>/` and
`results/date=<date>/`. Within a draft, every file is written under a temporary name and
renamed into place once complete, so no file is ever changed in place.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from recon.sql import quote

RESULT_TABLES = ("matches", "breaks", "resolved", "quarantine", "balance", "summary")


@dataclass(frozen=True)
class Layout:
    """Paths of the data directory; see the README's output layout section. `drafts` maps the
    partners whose uncommitted draft this layout reads and writes to their draft folder."""

    root: Path
    drafts: Mapping[str, Path] = field(default_factory=dict, compare=False)

    def pointer(self, partner: str) -> Path:
        """The link naming the partner's committed version (recon.versions)."""
        return self.root / "partners" / partner

    def versions(self, partner: str) -> Path:
        """The folder of the partner's version folders."""
        return self.root / "store" / partner

    def partner_root(self, partner: str) -> Path:
        """The partner's draft when this layout holds one, else its committed version."""
        return self.drafts.get(partner) or self.pointer(partner)

    def canonical(self, side: str, partner: str, business_date: date) -> Path:
        return (
            self.partner_root(partner)
            / "canonical"
            / f"side={side}"
            / f"date={business_date}"
            / "records.parquet"
        )

    def canonical_quarantine(self, side: str, partner: str, business_date: date) -> Path:
        """Rows of that side's file for that partner that could not be normalised."""
        return self.canonical(side, partner, business_date).with_name("quarantine.parquet")

    def canonical_source(self, side: str, partner: str, business_date: date) -> Path:
        """Where that side's file for the day put its lines and rows (recon.ingest.accounting)."""
        return self.canonical(side, partner, business_date).with_name("source.parquet")

    def result(self, table: str, partner: str, business_date: date) -> Path:
        return self.partner_root(partner) / "results" / f"date={business_date}" / f"{table}.parquet"

    def skip_record(self, partner: str, business_date: date) -> Path:
        """Where a day closed without reconciliation is recorded (recon.skips)."""
        return self.result("skip", partner, business_date).with_suffix(".json")

    def partner_results(self, partner: str, table: str) -> list[tuple[date, Path]]:
        """Every business date that has `table` for this partner, with the file's path."""
        found = []
        for path in (self.partner_root(partner) / "results").glob(f"date=*/{table}.parquet"):
            found.append((date.fromisoformat(path.parent.name.removeprefix("date=")), path))
        return sorted(found)

    def unrouted_quarantine(self, business_date: date) -> Path:
        """Ledger rows whose partner code matches no configured partner."""
        return self.root / "quarantine" / "ledger_unrouted" / f"date={business_date}" / "quarantine.parquet"

    def spill_dir(self, partner: str) -> Path:
        """Where DuckDB may spill intermediate data when a day of the partner does not fit its
        memory limit; emptied before each step of the partner (recon.versions)."""
        return self.root / ".spill" / partner

    @property
    def database(self) -> Path:
        return self.root / "recon.duckdb"


def staging_path(path: Path) -> Path:
    """Temporary sibling of `path`, on the same file system so the final rename is atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def publish(staged: Path, final: Path) -> None:
    os.replace(staged, final)


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to `path` on success, remove it on failure."""
    staged = staging_path(path)
    try:
        yield staged
        publish(staged, path)
    finally:
        staged.unlink(missing_ok=True)


def write_parquet(frame: pl.DataFrame, path: Path, atomic: bool = True) -> None:
    """Write a Polars frame (fixed settings, so equal frames give equal bytes); atomically unless
    `path` is itself a staging path that the caller publishes."""
    if not atomic:
        frame.write_parquet(path, compression="zstd", statistics=True)
        return
    with atomic_output(path) as staged:
        frame.write_parquet(staged, compression="zstd", statistics=True)


def refresh_views(layout: Layout, derived: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> None:
    """(Re)create one SQL view per output table over every Parquet file written so far.

    The database is built in a private file and renamed into place, so runs of several partners
    at once never contend for DuckDB's single-writer lock, and readers see the old or the new
    file, never a half-written one. Views glob the folders the partners' pointers name, so files
    committed later show up without a refresh; a refresh is only needed for a table that had no
    file yet.
    """
    layout.root.mkdir(parents=True, exist_ok=True)
    with atomic_output(layout.database) as staged:
        with duckdb.connect(str(staged)) as con:
            for table in RESULT_TABLES:
                pattern = layout.root / "partners" / "*" / "results" / "*" / f"{table}.parquet"
                _create_view(con, table, pattern)
            for side in ("partner", "ledger"):
                pattern = (
                    layout.root / "partners" / "*" / "canonical" / f"side={side}" / "*" / "records.parquet"
                )
                _create_view(con, f"{side}_records", pattern)
            if derived is not None and _has_views(con, "breaks", "resolved", "balance"):
                derived(con)
        staged.with_name(staged.name + ".wal").unlink(missing_ok=True)


def _has_views(con: duckdb.DuckDBPyConnection, *names: str) -> bool:
    found = {
        row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    return set(names) <= found


def _create_view(con: duckdb.DuckDBPyConnection, name: str, pattern: Path) -> None:
    if not glob.glob(str(pattern)):
        con.execute(f"DROP VIEW IF EXISTS {name}")
        return
    con.execute(
        f"CREATE OR REPLACE VIEW {name} AS "
        f"SELECT * FROM read_parquet({quote(str(pattern))}, union_by_name = true, hive_partitioning = false)"
    )
