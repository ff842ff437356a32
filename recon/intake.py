"""What a run takes in: each side's file fetched, registered, judged, and read into canonical files.

Before a file is read, the landing registry (recon.landing_registry) says what its delivery is:
a first file, an unchanged re-delivery, a correction, or another day's bytes. A file is left
unread only when the partner's committed state reconciled the day from exactly these bytes: the
registry's rows are a log of sightings written outside the partner's versions, so the
committed canonical files (their `source_sha256`), never the log, decide that. Sightings are
marked ingested once the version holding their rows is committed (or failed when it is not).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from recon.config import ReconConfig
from recon.day_inputs import day_inputs
from recon.ingest import IngestResult, read_ledger_file, read_partner_file
from recon.landing_registry import Arrival, Decision, LandingRegistry, arrival_of
from recon.sources import Landed, fetch
from recon.store import Layout, write_parquet


@dataclass(frozen=True)
class Redelivery:
    """What a run does with a file the landing registry has seen (README, "Re-delivery"):
    `rerun` reads and reconciles a day again although nothing changed (after a configuration
    change); `accept_duplicate` ingests a file with the bytes of another business date's file."""

    rerun: bool = False
    accept_duplicate: bool = False


@dataclass(frozen=True)
class Read:
    """A sighting whose file was read, and what reading it gave."""

    decision: Decision
    result: IngestResult


@dataclass(frozen=True)
class LedgerExports:
    """The ledger exports some partner-days cover, each read at most once: the registry's
    decision for every partner's slice of every export, and the exports that had to be read."""

    business_date: date
    decisions: dict[str, list[Decision]]
    by_day: dict[date, IngestResult]

    @property
    def todays(self) -> IngestResult | None:
        return self.by_day.get(self.business_date)

    def reads_of(self, partner_id: str) -> list[Read]:
        return [
            Read(decision, self.by_day[decision.arrival.business_date])
            for decision in self.decisions[partner_id]
            if decision.read
        ]


def read_ledger_exports(
    config: ReconConfig, business_date: date, layout: Layout, selected: Sequence[str], redelivery: Redelivery
) -> LedgerExports:
    """Register and judge every export the selected partners' day covers, and read those some
    partner needs read; rows of no configured partner go to the unrouted quarantine of the day."""
    decisions: dict[str, list[Decision]] = {pid: [] for pid in selected}
    wanted: dict[date, list[str]] = {}
    for partner_id in selected:
        for day in day_inputs(config, layout, partner_id, business_date).ledger_dates:
            wanted.setdefault(day, []).append(partner_id)
    by_day = {}
    for day in sorted(wanted):
        landed = fetch(config.ledger.source, day, layout.root)
        name = config.ledger.source.file_name(day)
        seen = _arrival(landed, "ledger", "", day, name)  # hashed once
        for partner_id in wanted[day]:
            decisions[partner_id].append(
                _judge(layout, redelivery, business_date, replace(seen, partner=partner_id))
            )
        if any(decisions[pid][-1].read for pid in wanted[day]):
            ledger = by_day[day] = read_ledger_file(
                landed.path,
                config.ledger,
                config.partners,
                day,
                config.reporting_timezone,
                source_name=name,
            )
            unrouted = ledger.quarantine.filter(~pl.col("partner").is_in(list(config.partners)))
            if unrouted.height:
                write_parquet(unrouted, layout.unrouted_quarantine(day))
    return LedgerExports(business_date, decisions, by_day)


def write_ledger_slices(layout: Layout, partner_id: str, exports: LedgerExports) -> list[Read]:
    """Write the partner's canonical ledger records, quarantine and line accounting of every
    export its decisions read; returns those reads."""
    reads = exports.reads_of(partner_id)
    for read in reads:
        write_side(layout, "ledger", partner_id, read.decision.arrival.business_date, read.result, partner_id)
    return reads


@dataclass(frozen=True)
class Settlement:
    """A partner's file for a day, fetched and judged, not read yet."""

    decision: Decision
    landed: Landed


def land_settlement(
    config: ReconConfig, partner_id: str, business_date: date, layout: Layout, redelivery: Redelivery
) -> Settlement:
    source = config.partner(partner_id).source
    landed = fetch(source, business_date, layout.root)
    seen = _arrival(landed, "partner", partner_id, business_date, source.file_name(business_date))
    return Settlement(_judge(layout, redelivery, business_date, seen), landed)


def read_settlement(config: ReconConfig, settlement: Settlement, layout: Layout) -> Read:
    """Read the partner's file into the canonical files of `layout` (a draft)."""
    arrival = settlement.decision.arrival
    result = read_partner_file(
        settlement.landed.path,
        config.partner(arrival.partner),
        arrival.business_date,
        config.reporting_timezone,
        source_name=arrival.source_file,
    )
    write_side(layout, "partner", arrival.partner, arrival.business_date, result, None)
    return Read(settlement.decision, result)


@contextmanager
def recorded(layout: Layout, decisions: Sequence[Decision]) -> Iterator[list[Read]]:
    """Around a partner's version: the reads the block appends are marked ingested once it has
    committed; when it raises, every sighting it was to read is marked failed."""
    reads: list[Read] = []
    registry = LandingRegistry(layout.root)
    try:
        yield reads
    except BaseException:
        for decision in decisions:
            if decision.read:
                registry.failed(decision)
        raise
    for read in reads:
        registry.ingested(read.decision, read.result.source.data_rows)


def write_side(
    layout: Layout, side: str, partner_id: str, business_date: date, result: IngestResult, only: str | None
) -> None:
    records, quarantine = result.records, result.quarantine
    if only is not None:
        records = records.filter(pl.col("partner") == only)
        quarantine = quarantine.filter(pl.col("partner") == only)
    write_parquet(records, layout.canonical(side, partner_id, business_date))
    write_parquet(quarantine, layout.canonical_quarantine(side, partner_id, business_date))
    write_parquet(result.source.accounting(), layout.canonical_source(side, partner_id, business_date))


def _arrival(landed: Landed, side: str, partner: str, business_date: date, source_file: str) -> Arrival:
    return arrival_of(
        landed.path, side, partner, business_date, source_file, landed.origin, landed.etag, landed.version_id
    )


def _judge(layout: Layout, redelivery: Redelivery, business_date: date, seen: Arrival) -> Decision:
    settled = not redelivery.rerun and reconciled_from(layout, seen, business_date)
    return LandingRegistry(layout.root).decide(
        seen, skip_unchanged=settled, accept_duplicate=redelivery.accept_duplicate
    )


def reconciled_from(layout: Layout, seen: Arrival, business_date: date) -> bool:
    """Whether the committed state reconciled `business_date` after ingesting exactly these bytes
    for this side of the partner (a step that ingested them and then stopped left the day stale)."""
    results = layout.result("carry", seen.partner, business_date)
    canonical = layout.canonical_source(seen.side, seen.partner, seen.business_date)
    if not (results.is_file() and canonical.is_file()):
        return False
    if canonical.stat().st_mtime_ns > results.stat().st_mtime_ns:
        return False
    fingerprints = pl.read_parquet(canonical, columns=["source_sha256"])["source_sha256"].to_list()
    return fingerprints == [seen.sha256]
