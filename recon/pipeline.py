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
from dataclasses import dataclass, replace
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
from recon.ingest import IngestResult
from recon.intake import (
    LedgerExports,
    Redelivery,
    Settlement,
    land_settlement,
    read_ledger_exports,
    read_settlement,
    recorded,
    write_ledger_slices,
)
from recon.landing_registry import Decision, Outcome
from recon.lifecycle import write_breaks, write_carry, write_open_tally, write_resolved
from recon.locks import LockTimeout, partner_lock
from recon.matching import reconcile
from recon.metrics import UnitMetrics, quarantine_problem, unit_metrics
from recon.open_index import SORT_KEY, write_checkpoint
from recon.schema import SIDES
from recon.sources.paths import redact
from recon.store import Layout, publish, staging_path, write_parquet
from recon.versions import partner_versions

Progress = Callable[[str], None]
PUBLISHED = ("matches", "breaks", "carry", "open_tally", "resolved", "quarantine", "balance")
CHECKPOINT = "open_index"  # published only on the days that write one (recon.open_index)
AS_DELIVERED = Redelivery()  # unchanged files left alone, another day's bytes refused


@dataclass(frozen=True)
class UnitResult:
    """What happened to one partner on one business date."""

    partner: str
    business_date: date
    error: str | None = None
    metrics: UnitMetrics | None = None
    notes: tuple[str, ...] = ()  # what the run did with re-delivered files, one line each

    @property
    def ok(self) -> bool:
        return self.error is None


def ingest_ledger_day(
    config: ReconConfig,
    business_date: date,
    layout: Layout,
    partner_ids: Sequence[str] | None = None,
    accept_duplicate: bool = False,
) -> IngestResult | None:
    """Split the ledger exports a partner-day covers into canonical records and quarantine per
    partner (all partners, or only those given: a run for one partner rewrites only that
    partner's slices). That is the day's export, and those of the dates since the partner's last
    reconciled day that its calendar skips (recon.day_inputs). Always reads them (a direct call
    asks for it); an export with the bytes of another date's is refused unless accepted. Returns
    the day's export, or None when the ledger calendar has no export on the day."""
    selected = sorted(set(partner_ids or config.partners))
    redelivery = Redelivery(rerun=True, accept_duplicate=accept_duplicate)
    timeout = config.engine.lock_timeout_seconds
    # sightings are marked ingested when `marks` closes: once the versions holding them are committed
    with ExitStack() as marks, partner_versions(layout, selected, timeout) as draft:
        exports = read_ledger_exports(config, business_date, draft, selected, redelivery)
        for partner_id in selected:
            reads = marks.enter_context(recorded(layout, exports.decisions[partner_id]))
            reads += write_ledger_slices(draft, partner_id, exports)
    return exports.todays


def ingest_partner_day(
    config: ReconConfig, partner_id: str, business_date: date, layout: Layout, accept_duplicate: bool = False
) -> IngestResult:
    """Normalise one partner's settlement file for the day into canonical records and quarantine.
    Always reads it (a direct call asks for it); a file with the bytes of another day's file is
    refused unless accepted."""
    redelivery = Redelivery(rerun=True, accept_duplicate=accept_duplicate)
    timeout = config.engine.lock_timeout_seconds
    # the sighting is marked ingested when `marks` closes: once the version holding it is committed
    with ExitStack() as marks, partner_versions(layout, [partner_id], timeout) as draft:
        settlement = land_settlement(config, partner_id, business_date, draft, redelivery)
        reads = marks.enter_context(recorded(layout, [settlement.decision]))
        reads.append(read_settlement(config, settlement, draft))
    return reads[0].result


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
    redelivery: Redelivery = AS_DELIVERED,
) -> list[UnitResult]:
    """Ingest and reconcile the selected partners (default: all) for one business date, then
    recompute, in order, any later day of those partners that was reconciled before. A day
    already reconciled from byte-identical files is left as it is unless `redelivery.rerun`."""
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
        return results + _run_due(config, business_date, layout, due, say, redelivery)


def _run_due(
    config: ReconConfig,
    business_date: date,
    layout: Layout,
    due: list[str],
    say: Progress,
    redelivery: Redelivery,
) -> list[UnitResult]:
    """Each due partner as one version (recon.versions): its ledger slices, its file, the day and
    the later days it recomputes, and their summaries are committed together or not at all."""
    try:
        say(f"{business_date}: reading ledger export")
        exports = read_ledger_exports(config, business_date, layout, due, redelivery)
    except Exception as exc:  # one bad export fails the day's partners, never the process
        return [UnitResult(pid, business_date, error=failure_line(exc)) for pid in due]
    results = []
    for partner_id in due:
        say(f"{business_date}: {partner_id}")
        try:
            results += _run_partner(config, business_date, layout, partner_id, exports, redelivery)
        except Exception as exc:  # a partner's failure is its own: the others still run
            line = failure_line(exc, partner_id, business_date)
            results.append(UnitResult(partner_id, business_date, error=line))
    if due:
        refresh_data_views(config, layout)
    return results


def _run_partner(
    config: ReconConfig,
    business_date: date,
    layout: Layout,
    partner_id: str,
    exports: LedgerExports,
    redelivery: Redelivery,
) -> list[UnitResult]:
    """One partner's day as one version, unless its files are those it was reconciled from.
    Its sightings are marked ingested after the commit, failed if none happens."""
    settlement = land_settlement(config, partner_id, business_date, layout, redelivery)
    decisions = [settlement.decision, *exports.decisions[partner_id]]
    if not any(decision.read for decision in decisions):
        return [_unchanged(config, layout, settlement)]
    timeout = config.engine.lock_timeout_seconds
    with recorded(layout, decisions) as reads, partner_versions(layout, [partner_id], timeout) as draft:
        reads += write_ledger_slices(draft, partner_id, exports)
        if settlement.decision.read:
            reads.append(read_settlement(config, settlement, draft))
        later = later_reconciled_days(draft, partner_id, business_date)
        notes = _notes(decisions, business_date, later)
        reconciled = []
        for day in (business_date, *later):
            result = reconcile_partner_day(config, partner_id, day, draft)
            reconciled.append(replace(result, notes=notes) if day == business_date else result)
            summarise_partner_day(config, partner_id, day, draft)
    return reconciled


def _notes(decisions: Sequence[Decision], business_date: date, later: Sequence[date]) -> tuple[str, ...]:
    """The lines about corrected and accepted files; a correction says which days it re-runs."""
    days = f" and {len(later)} later day(s) to {later[-1]}" if later else ""
    notes = []
    for decision in decisions:
        line = decision.line()
        if line and decision.outcome is Outcome.CORRECTION:
            line += f"; reconciling {business_date}{days} again"
        notes += [line] if line else []
    return tuple(notes)


def _unchanged(config: ReconConfig, layout: Layout, settlement: Settlement) -> UnitResult:
    """A reconciled day whose files came again byte for byte: its published results stand, and so
    does the verdict of its quarantine gate."""
    arrival = settlement.decision.arrival
    partner = config.partner(arrival.partner)
    metrics = unit_metrics(layout, partner, arrival.business_date)
    note = f"{partner.id} {arrival.business_date}: unchanged re-delivery of {arrival.origin}; nothing to do"
    problem = quarantine_problem(metrics, partner.checks)
    return UnitResult(partner.id, arrival.business_date, problem, metrics, notes=(note,))


def failure_line(exc: Exception, partner_id: str | None = None, business_date: date | None = None) -> str:
    """One line for any failure: a ReconError's own message, else the exception's type and first
    line, prefixed by the partner-day it stopped, capped so no input is ever echoed whole."""
    if isinstance(exc, ReconError):
        return str(exc)
    text = redact((str(exc).strip().splitlines() or [""])[0])[:300]  # a library may print a URL
    unit = f"{partner_id} {business_date}: " if partner_id else ""
    return f"{unit}unexpected {type(exc).__name__}: {text}"
