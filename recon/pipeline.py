"""One business day end to end: ingest, match, balance, publish, for each configured partner.

A failure of one partner (its file missing or unreadable) is reported for that partner and
the others still run; a ledger export that cannot be read fails every partner of the day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from recon.balance import assert_balanced, balance_statement
from recon.config import PartnerConfig, ReconConfig
from recon.errors import ReconError
from recon.ingest import IngestResult, read_ledger_file, read_partner_file
from recon.matching import reconcile
from recon.schema import empty_canonical
from recon.sources import fetch
from recon.sql import quote
from recon.store import Layout, publish, refresh_views, staging_path, write_parquet

Progress = Callable[[str], None]


@dataclass(frozen=True)
class UnitResult:
    """What happened to one partner on one business date."""

    partner: str
    business_date: date
    error: str | None = None
    balance: pl.DataFrame | None = None
    matches_by_rule: dict[str, int] = field(default_factory=dict)
    breaks_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def run_day(
    config: ReconConfig,
    business_date: date,
    partner_ids: Sequence[str] | None = None,
    data_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[UnitResult]:
    """Reconcile the selected partners (default: all) for one business date."""
    layout = Layout(Path(data_dir) if data_dir else config.data_dir)
    partners = [config.partner(pid) for pid in (partner_ids or sorted(config.partners))]
    say = progress or (lambda _message: None)
    try:
        say(f"{business_date}: reading ledger export")
        ledger = _ingest_ledger(config, business_date, layout)
    except ReconError as exc:
        return [UnitResult(p.id, business_date, error=str(exc)) for p in partners]
    results = []
    for partner in partners:
        say(f"{business_date}: {partner.id}")
        try:
            results.append(_run_unit(config, partner, business_date, ledger, layout))
        except ReconError as exc:
            results.append(UnitResult(partner.id, business_date, error=str(exc)))
    refresh_views(layout)
    return results


def _ingest_ledger(config: ReconConfig, business_date: date, layout: Layout) -> IngestResult:
    path = fetch(config.ledger.source, business_date, layout.root)
    ledger = read_ledger_file(path, config.ledger, config.partners, business_date, config.reporting_timezone)
    unrouted = ledger.quarantine.filter(~pl.col("partner").is_in(list(config.partners)))
    if unrouted.height:
        write_parquet(unrouted, layout.unrouted_quarantine(business_date))
    return ledger


def _run_unit(
    config: ReconConfig, partner: PartnerConfig, business_date: date, ledger: IngestResult, layout: Layout
) -> UnitResult:
    path = fetch(partner.source, business_date, layout.root)
    settlement = read_partner_file(path, partner, business_date, config.reporting_timezone)
    partner_records = layout.canonical("partner", partner.id, business_date)
    ledger_records = layout.canonical("ledger", partner.id, business_date)
    write_parquet(settlement.records, partner_records)
    write_parquet(_of_partner(ledger.records, partner.id, empty_canonical()), ledger_records)
    quarantine = pl.concat([settlement.quarantine, _of_partner(ledger.quarantine, partner.id, None)])
    return match_and_publish(partner, business_date, partner_records, ledger_records, quarantine, layout)


def _of_partner(frame: pl.DataFrame, partner_id: str, empty: pl.DataFrame | None) -> pl.DataFrame:
    rows = frame.filter(pl.col("partner") == partner_id)
    return rows if rows.height or empty is None else empty


def match_and_publish(
    partner: PartnerConfig,
    business_date: date,
    partner_records: Path,
    ledger_records: Path,
    quarantine: pl.DataFrame,
    layout: Layout,
) -> UnitResult:
    """Match in a private in-memory DuckDB, check the balance, then publish all outputs."""
    finals = {table: layout.result(table, partner.id, business_date) for table in ("matches", "breaks")}
    staged = {table: staging_path(path) for table, path in finals.items()}
    try:
        with duckdb.connect() as con:
            _input_views(con, partner_records, ledger_records, quarantine)
            reconcile(con, partner, business_date, staged["matches"], staged["breaks"])
            statement = balance_statement(
                con, partner.id, business_date.isoformat(), staged["matches"], staged["breaks"]
            )
            assert_balanced(statement, f"{partner.id} {business_date}")
            summary = _summary(con, staged["matches"], staged["breaks"])
        write_parquet(
            quarantine.sort("side", "source_file", "source_line"),
            _result(layout, "quarantine", partner, business_date),
        )
        write_parquet(statement, _result(layout, "balance", partner, business_date))
        for table, path in finals.items():
            publish(staged[table], path)
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)
    return UnitResult(partner.id, business_date, balance=statement, **summary)


def _result(layout: Layout, table: str, partner: PartnerConfig, business_date: date) -> Path:
    return layout.result(table, partner.id, business_date)


def _input_views(
    con: duckdb.DuckDBPyConnection, partner_records: Path, ledger_records: Path, quarantine: pl.DataFrame
) -> None:
    """`sort_key` orders records by their line so that outputs are written in a stable order."""
    for view, path in (("partner_in", partner_records), ("ledger_in", ledger_records)):
        source = f"read_parquet({quote(str(path))})"
        con.execute(f"CREATE VIEW {view} AS SELECT *, source_line::BIGINT AS sort_key FROM {source}")
    con.register("quarantine_in", quarantine)


def _summary(con: duckdb.DuckDBPyConnection, matches: Path, breaks: Path) -> dict[str, dict[str, int]]:
    by_rule = con.execute(
        f"SELECT rule, count(*) FROM read_parquet({quote(str(matches))}) GROUP BY rule ORDER BY rule"
    ).fetchall()
    by_type = con.execute(
        f"SELECT break_type, count(*) FROM read_parquet({quote(str(breaks))}) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return {"matches_by_rule": dict(by_rule), "breaks_by_type": dict(by_type)}
