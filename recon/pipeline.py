"""One business day end to end, as three steps that each read and write the data directory.

`ingest_ledger_day` and `ingest_partner_day` turn source files into canonical Parquet (and
quarantine); `reconcile_partner_day` matches what they wrote and publishes the results. The
Dagster assets call these steps one each; `run_day` chains them for the command line. A
failure of one partner is reported for that partner and the others still run; a ledger
export that cannot be read fails every partner of the day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from recon.balance import assert_balanced, assert_files_accounted, balance_statement
from recon.carry import CarriedState, carried_participants, carried_state
from recon.config import PartnerConfig, ReconConfig
from recon.daily_summary import refresh_data_views, summarise_partner_day
from recon.day_inputs import DayInputs, day_inputs, input_days, records_relation
from recon.errors import ReconError
from recon.ingest import IngestResult, read_ledger_file, read_partner_file
from recon.lifecycle import write_breaks, write_carry, write_open_tally, write_resolved
from recon.locks import LockTimeout, partner_lock
from recon.matching import reconcile
from recon.metrics import UnitMetrics, quarantine_problem, unit_metrics
from recon.open_index import SORT_KEY, write_checkpoint
from recon.schema import SIDES
from recon.sources import fetch
from recon.store import Layout, publish, staging_path, write_parquet
from recon.versions import partner_versions

Progress = Callable[[str], None]
PUBLISHED = ("matches", "breaks", "carry", "open_tally", "resolved", "quarantine", "balance")
CHECKPOINT = "open_index"  # published only on the days that write one (recon.open_index)


@dataclass(frozen=True)
class UnitResult:
    """What happened to one partner on one business date."""

    partner: str
    business_date: date
    error: str | None = None
    metrics: UnitMetrics | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def ingest_ledger_day(
    config: ReconConfig, business_date: date, layout: Layout, partner_ids: Sequence[str] | None = None
) -> IngestResult | None:
    """Split the ledger exports a partner-day covers into canonical records and quarantine per
    partner (all partners, or only those given: a run for one partner rewrites only that
    partner's slices). That is the day's export, and those of the dates since the partner's last
    reconciled day that its calendar skips (recon.day_inputs). Returns the day's export, or None
    when the ledger calendar has no export on the day."""
    selected = list(partner_ids or config.partners)
    with partner_versions(layout, selected, config.engine.lock_timeout_seconds) as draft:
        exports = read_ledger_exports(config, business_date, draft, selected)
        for partner_id in selected:
            write_ledger_slices(draft, partner_id, exports)
    return exports.todays


@dataclass(frozen=True)
class LedgerExports:
    """The ledger exports some partner-days cover, each read once, and which partner needs which."""

    by_day: dict[date, IngestResult]
    days_of: dict[str, list[date]]
    business_date: date

    @property
    def todays(self) -> IngestResult | None:
        return self.by_day.get(self.business_date)


def read_ledger_exports(
    config: ReconConfig, business_date: date, layout: Layout, selected: Sequence[str]
) -> LedgerExports:
    """Read every export the selected partners' day covers; its rows of no configured partner are
    kept in the unrouted quarantine of that day."""
    days_of = {pid: day_inputs(config, layout, pid, business_date).ledger_dates for pid in selected}
    by_day = {}
    for day in sorted({day for days in days_of.values() for day in days}):
        ledger = by_day[day] = _read_ledger(config, day, layout)
        unrouted = ledger.quarantine.filter(~pl.col("partner").is_in(list(config.partners)))
        if unrouted.height:
            write_parquet(unrouted, layout.unrouted_quarantine(day))
    return LedgerExports(by_day, days_of, business_date)


def write_ledger_slices(layout: Layout, partner_id: str, exports: LedgerExports) -> None:
    """Write the partner's canonical ledger records and quarantine of every export it needs."""
    for day in exports.days_of[partner_id]:
        _write_side(layout, "ledger", partner_id, day, exports.by_day[day], partner_id)


def _read_ledger(config: ReconConfig, day: date, layout: Layout) -> IngestResult:
    landed = fetch(config.ledger.source, day, layout.root)
    return read_ledger_file(
        landed.path,
        config.ledger,
        config.partners,
        day,
        config.reporting_timezone,
        source_name=config.ledger.source.file_name(day),
    )


def ingest_partner_day(
    config: ReconConfig, partner_id: str, business_date: date, layout: Layout
) -> IngestResult:
    """Normalise one partner's settlement file for the day into canonical records and quarantine."""
    with partner_versions(layout, [partner_id], config.engine.lock_timeout_seconds) as draft:
        return _ingest_partner(config, partner_id, business_date, draft)


def _ingest_partner(
    config: ReconConfig, partner_id: str, business_date: date, layout: Layout
) -> IngestResult:
    partner = config.partner(partner_id)
    landed = fetch(partner.source, business_date, layout.root)
    settlement = read_partner_file(
        landed.path,
        partner,
        business_date,
        config.reporting_timezone,
        source_name=partner.source.file_name(business_date),
    )
    _write_side(layout, "partner", partner_id, business_date, settlement, None)
    return settlement


def _write_side(
    layout: Layout, side: str, partner_id: str, business_date: date, result: IngestResult, only: str | None
) -> None:
    records, quarantine = result.records, result.quarantine
    if only is not None:
        records = records.filter(pl.col("partner") == only)
        quarantine = quarantine.filter(pl.col("partner") == only)
    write_parquet(records, layout.canonical(side, partner_id, business_date))
    write_parquet(quarantine, layout.canonical_quarantine(side, partner_id, business_date))
    write_parquet(result.source.accounting(), layout.canonical_source(side, partner_id, business_date))


def reconcile_partner_day(
    config: ReconConfig, partner_id: str, business_date: date, layout: Layout
) -> UnitResult:
    """Match the day's canonical records and the carried open items that may pair with them, in a
    private in-memory DuckDB; check the balance; then publish every output at once."""
    with partner_versions(layout, [partner_id], config.engine.lock_timeout_seconds) as draft:
        return _reconcile(config, partner_id, business_date, draft)


def _reconcile(config: ReconConfig, partner_id: str, business_date: date, layout: Layout) -> UnitResult:
    partner = config.partner(partner_id)
    inputs = day_inputs(config, layout, partner_id, business_date).require_due()
    state = carried_state(layout, partner_id, inputs.follows)
    finals = {table: layout.result(table, partner_id, business_date) for table in (*PUBLISHED, CHECKPOINT)}
    staged = {table: staging_path(path) for table, path in finals.items()}
    raw_breaks = staging_path(finals["breaks"].with_name("raw_breaks.parquet"))
    try:
        settings = {
            "memory_limit": config.engine.memory_limit,
            "temp_directory": str(layout.spill_dir(partner_id)),
        }
        with duckdb.connect(config=settings) as con:
            quarantine = _input_views(con, layout, partner, inputs, state)
            sources = [("partner", layout.canonical_source("partner", partner_id, business_date))] + [
                ("ledger", layout.canonical_source("ledger", partner_id, day)) for day in inputs.ledger_dates
            ]
            assert_files_accounted(con, sources, f"{partner_id} {business_date}")
            reconcile(con, partner, business_date, staged["matches"], raw_breaks)
            write_breaks(con, partner.breaks, business_date, raw_breaks, staged["breaks"])
            statement = balance_statement(
                con, partner_id, business_date.isoformat(), staged["matches"], staged["breaks"]
            )
            assert_balanced(statement, f"{partner_id} {business_date}")
            write_carry(con, business_date, staged["carry"])
            open_after = state.open_after(staged["carry"])
            write_checkpoint(con, open_after, config.engine.checkpoint_max_days, staged[CHECKPOINT])
            write_open_tally(con, open_after, staged["open_tally"])
            write_resolved(con, partner_id, business_date, staged["matches"], staged["resolved"])
        for table, frame in (("quarantine", quarantine), ("balance", statement)):
            write_parquet(frame, staged[table], atomic=False)
        if not staged[CHECKPOINT].exists():
            finals[CHECKPOINT].unlink(missing_ok=True)  # one an earlier run of the day wrote
        for table, path in finals.items():
            if staged[table].exists():
                publish(staged[table], path)
        layout.skip_record(partner_id, business_date).unlink(missing_ok=True)  # the day came after all
    finally:
        for path in (*staged.values(), raw_breaks):
            path.unlink(missing_ok=True)
    metrics = unit_metrics(layout, partner, business_date)
    return UnitResult(partner_id, business_date, quarantine_problem(metrics, partner.checks), metrics)


def _input_views(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    partner: PartnerConfig,
    inputs: DayInputs,
    state: CarriedState,
) -> pl.DataFrame:
    """Views `partner_in` and `ledger_in`: the day's records (the ledger's over every date the day
    covers) plus the carried participants, each with `first_seen` and a `sort_key` (origin date,
    line) that gives outputs a stable order; `quarantine_in`; and the empty table
    `unchanged_members` that recon.lifecycle fills. Returns the quarantine of both sides, ordered
    for publishing."""
    business_date = inputs.business_date
    for side in SIDES:
        con.execute(f"CREATE VIEW today_{side} AS {records_relation(layout, inputs, side)}")
    carried_participants(con, state, partner.rules)
    con.execute("CREATE TEMP TABLE unchanged_members (side VARCHAR, record_id VARCHAR)")
    day = f"DATE '{business_date.isoformat()}'"
    for side in SIDES:
        view = "partner_in" if side == "partner" else "ledger_in"
        con.execute(
            f"""CREATE VIEW {view} AS
            SELECT *, {day} AS first_seen, {SORT_KEY} AS sort_key FROM today_{side}
            UNION ALL
            SELECT * EXCLUDE (break_id, break_type, keyed, counterpart_id, detail), {SORT_KEY}
            FROM carried_in WHERE side = '{side}'"""
        )
    quarantine = pl.concat(
        [
            pl.read_parquet(layout.canonical_quarantine(side, partner.id, day))
            for side, days in input_days(inputs).items()
            for day in days
        ]
    ).sort("side", "source_file", "source_line")
    con.register("quarantine_in", quarantine)
    return quarantine


def later_reconciled_days(layout: Layout, partner_id: str, business_date: date) -> list[date]:
    """Days after `business_date` already reconciled: their carried input changes when it is
    re-run, so they are recomputed in order (see README, "Re-running a day")."""
    return [day for day, _path in layout.partner_results(partner_id, "carry") if day > business_date]


def run_day(
    config: ReconConfig,
    business_date: date,
    partner_ids: Sequence[str] | None = None,
    data_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[UnitResult]:
    """Ingest and reconcile the selected partners (default: all) for one business date, then
    recompute, in order, any later day of those partners that was reconciled before."""
    layout = Layout(Path(data_dir) if data_dir else config.data_dir)
    say = progress or (lambda _message: None)
    if partner_ids:
        selected = [config.partner(pid).id for pid in partner_ids]
    else:  # every partner that settles on the day
        selected = [
            pid
            for pid in sorted(config.partners)
            if config.partner(pid).calendar.is_business_day(business_date)
        ]
    with ExitStack() as held:  # each partner's lock for the whole run: its later days included
        results, due = [], []
        for partner_id in sorted(selected):
            try:
                held.enter_context(partner_lock(layout.root, partner_id, config.engine.lock_timeout_seconds))
            except LockTimeout as exc:
                results.append(UnitResult(partner_id, business_date, error=f"{exc} ({business_date})"))
                continue
            problem = day_inputs(config, layout, partner_id, business_date).problem
            if problem is None:
                due.append(partner_id)
            else:
                results.append(
                    UnitResult(partner_id, business_date, error=f"{partner_id} {business_date}: {problem}")
                )
        return results + _run_due(config, business_date, layout, due, say)


def _run_due(
    config: ReconConfig, business_date: date, layout: Layout, due: list[str], say: Progress
) -> list[UnitResult]:
    """Each due partner as one version (recon.versions): its ledger slices, its file, the day and
    the later days it recomputes, and their summaries are committed together or not at all."""
    try:
        say(f"{business_date}: reading ledger export")
        exports = read_ledger_exports(config, business_date, layout, due)
    except Exception as exc:  # one bad export fails the day's partners, never the process
        return [UnitResult(pid, business_date, error=failure_line(exc)) for pid in due]
    results = []
    for partner_id in due:
        say(f"{business_date}: {partner_id}")
        try:
            with partner_versions(layout, [partner_id], config.engine.lock_timeout_seconds) as draft:
                write_ledger_slices(draft, partner_id, exports)
                ingest_partner_day(config, partner_id, business_date, draft)
                days = (business_date, *later_reconciled_days(draft, partner_id, business_date))
                reconciled = []
                for day in days:
                    reconciled.append(reconcile_partner_day(config, partner_id, day, draft))
                    summarise_partner_day(config, partner_id, day, draft)
            results += reconciled
        except Exception as exc:  # a partner's failure is its own: the others still run
            line = failure_line(exc, partner_id, business_date)
            results.append(UnitResult(partner_id, business_date, error=line))
    if due:
        refresh_data_views(config, layout)
    return results


def failure_line(exc: Exception, partner_id: str | None = None, business_date: date | None = None) -> str:
    """One line for any failure: a ReconError's own message, else the exception's type and first
    line, prefixed by the partner-day it stopped, capped so no input is ever echoed whole."""
    if isinstance(exc, ReconError):
        return str(exc)
    text = (str(exc).strip().splitlines() or [""])[0][:300]
    unit = f"{partner_id} {business_date}: " if partner_id else ""
    return f"{unit}unexpected {type(exc).__name__}: {text}"
