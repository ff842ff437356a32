"""Every file that lands, as seen by an ingest: where it came from, its fingerprint, what was done.

The registry decides what a delivery means before anything is read (README, "Re-delivery"): the
same bytes as the file already ingested for that side and partner-day are an unchanged
re-delivery; other bytes are a correction; the same bytes as a file ingested for another business
date of the partner (yesterday's file re-sent under today's name) are refused unless ops accept
them. A file without data rows is never a duplicate of another day: every quiet day's header-only
file has the same bytes.

It is one SQLite file beside the data (`<data_dir>/registry/landing.sqlite`): each write is one
transaction, so a reader never sees half a row and runs of different partners in other processes
add their rows side by side (SQLite serialises writers; each waits up to BUSY_SECONDS). Rows are
never deleted: a row is one sighting, with the outcome of that sighting.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

from recon.errors import ReconError

BUSY_SECONDS = 60.0
CHUNK = 1 << 20
SHORT = 12  # hex digits of a sha256 shown in messages


class Outcome(StrEnum):
    INGESTED = "ingested"  # the first file of that side and partner-day
    UNCHANGED = "unchanged"  # byte-identical to the file ingested: not read again
    REINGESTED = "reingested"  # byte-identical, read again (a forced re-run, a day not reconciled yet)
    CORRECTION = "correction"  # other bytes than the file ingested: replaces it
    REFUSED = "refused_duplicate"  # the bytes of a file ingested for another business date
    ACCEPTED = "accepted_duplicate"  # the same, ingested because ops said it is the same business
    FAILED = "failed"  # the ingest of this file stopped (the file is unreadable, a disk error)


READ_IN = (Outcome.INGESTED, Outcome.REINGESTED, Outcome.CORRECTION, Outcome.ACCEPTED)


class DuplicateFileError(ReconError):
    """A file carries the bytes of another business date's file: most often yesterday's file
    re-sent under today's name, which would silently reconcile yesterday's business twice."""


class RegistryError(ReconError):
    """The registry file cannot be read or written (message names the file)."""


@dataclass(frozen=True)
class Arrival:
    """A file fetched for one side of a partner-day, fingerprinted before it is read."""

    side: str
    partner: str
    business_date: date
    source_file: str  # the source pattern filled in
    origin: str  # where it came from: local path, or S3 bucket/key
    size: int
    sha256: str
    etag: str | None = None
    version_id: str | None = None


@dataclass(frozen=True)
class Entry:
    """One row of the registry."""

    id: int
    side: str
    partner: str
    business_date: str
    source_file: str
    origin: str
    etag: str | None
    version_id: str | None
    size: int
    sha256: str
    data_rows: int | None
    status: str
    replaces_sha256: str | None
    duplicate_of: str | None
    first_seen_at: str
    seen_at: str
    ingested_at: str | None


COLUMNS = tuple(field.name for field in fields(Entry))
SCHEMA = """
CREATE TABLE IF NOT EXISTS landing (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    side TEXT NOT NULL CHECK (side IN ('partner', 'ledger')),
    partner TEXT NOT NULL,
    business_date TEXT NOT NULL,
    source_file TEXT NOT NULL,
    origin TEXT NOT NULL,
    etag TEXT,
    version_id TEXT,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data_rows INTEGER,
    status TEXT NOT NULL,
    replaces_sha256 TEXT,
    duplicate_of TEXT,
    first_seen_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    ingested_at TEXT
);
CREATE INDEX IF NOT EXISTS landing_day ON landing (partner, side, business_date);
CREATE INDEX IF NOT EXISTS landing_bytes ON landing (partner, side, sha256);
"""


@dataclass(frozen=True)
class Decision:
    """What a sighting means, recorded as row `entry_id`; `previous` is the ingested file it
    re-delivers or corrects, or the other day's file it duplicates."""

    entry_id: int
    outcome: Outcome
    arrival: Arrival
    previous: Entry | None

    @property
    def read(self) -> bool:
        return self.outcome in READ_IN

    def line(self) -> str | None:
        """The one line a run prints about this file, when there is something to say."""
        unit = f"{self.arrival.partner} {self.arrival.business_date}"
        new, old = self.arrival, self.previous
        if self.outcome is Outcome.CORRECTION and old is not None:
            return (
                f"{unit}: correction: {new.origin} (sha256 {new.sha256[:SHORT]}) replaces the {new.side} "
                f"file ingested {old.ingested_at} (sha256 {old.sha256[:SHORT]})"
            )
        if self.outcome is Outcome.ACCEPTED and old is not None:
            return (
                f"{unit}: accepted {new.origin} with the same bytes as the {new.side} file of "
                f"{old.business_date} (--accept-duplicate-file)"
            )
        return None


def detail(entry: Entry) -> str:
    """What a listed row refers to: the file a correction replaced, the day a duplicate repeats."""
    parts = []
    if entry.replaces_sha256:
        parts.append(f"replaces {entry.replaces_sha256[:SHORT]}")
    if entry.duplicate_of:
        parts.append(f"same bytes as {entry.duplicate_of}")
    if entry.status in READ_IN and entry.ingested_at is None:
        parts.append("ingest not completed")
    return "; ".join(parts)


def registry_path(data_root: Path) -> Path:
    return data_root / "registry" / "landing.sqlite"


def arrival_of(
    path: Path,
    side: str,
    partner: str,
    business_date: date,
    source_file: str,
    origin: str | None = None,
    etag: str | None = None,
    version_id: str | None = None,
) -> Arrival:
    """The file at `path` (local, or the landing copy of an S3 object), fingerprinted in chunks
    so a large file never sits in memory whole; `origin` defaults to the path."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    where = origin or str(path)
    sha256 = digest.hexdigest()
    return Arrival(side, partner, business_date, source_file, where, size, sha256, etag, version_id)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class LandingRegistry:
    """The registry of one data directory. Each call opens its own connection: calls come from
    several processes and threads, and a connection is never shared between them."""

    def __init__(self, data_root: Path) -> None:
        self.path = registry_path(data_root)

    @contextmanager
    def _connection(self, write: bool) -> Iterator[sqlite3.Connection]:
        try:
            if write:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                target = str(self.path)
            else:
                target = f"{self.path.resolve().as_uri()}?mode=ro"
            with closing(
                sqlite3.connect(target, timeout=BUSY_SECONDS, isolation_level=None, uri=not write)
            ) as con:
                con.execute("PRAGMA synchronous = FULL")
                if write:
                    con.executescript(SCHEMA)  # each statement atomic on its own; a no-op once made
                    con.execute("BEGIN IMMEDIATE")
                    try:
                        yield con
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
                    con.execute("COMMIT")
                else:
                    yield con
        except (sqlite3.Error, OSError) as exc:
            raise RegistryError(f"{self.path}: landing registry: {exc}") from None

    def decide(self, arrival: Arrival, skip_unchanged: bool, accept_duplicate: bool) -> Decision:
        """Record the sighting and what it means. `skip_unchanged`: the day is reconciled from the
        file ingested, so identical bytes need no work. Raises DuplicateFileError (after recording
        the refusal) for another day's bytes unless `accept_duplicate`."""
        with self._connection(write=True) as con:
            current = _latest(con, "business_date = ?", arrival, str(arrival.business_date))
            other = _latest(
                con,
                "business_date <> ? AND sha256 = ? AND data_rows > 0",
                arrival,
                str(arrival.business_date),
                arrival.sha256,
            )
            if current is not None and current.sha256 == arrival.sha256:
                outcome, previous = (Outcome.UNCHANGED if skip_unchanged else Outcome.REINGESTED), current
            elif other is not None:
                outcome, previous = (Outcome.ACCEPTED if accept_duplicate else Outcome.REFUSED), other
            else:
                outcome = Outcome.INGESTED if current is None else Outcome.CORRECTION
                previous = current
            entry_id = _insert(con, arrival, outcome, current, other if previous is other else None)
        decision = Decision(entry_id, outcome, arrival, previous)
        if outcome is Outcome.REFUSED and other is not None:
            unit = f"{arrival.partner} {arrival.business_date}" if arrival.side == "partner" else "ledger"
            raise DuplicateFileError(
                f"{unit}: refused {arrival.origin}: same bytes "
                f"(sha256 {arrival.sha256[:SHORT]}) as the {arrival.side} file of {other.business_date} "
                f"({other.origin}); nothing ingested. If it is truly the same business, run again with "
                "--accept-duplicate-file"
            )
        return decision

    def ingested(self, decision: Decision, data_rows: int) -> None:
        """The file's rows are in the canonical files: from now on it is the day's file."""
        with self._connection(write=True) as con:
            con.execute(
                "UPDATE landing SET ingested_at = ?, data_rows = ? WHERE id = ?",
                (_now(), data_rows, decision.entry_id),
            )

    def failed(self, decision: Decision) -> None:
        with self._connection(write=True) as con:
            con.execute(
                "UPDATE landing SET status = ? WHERE id = ?", (Outcome.FAILED.value, decision.entry_id)
            )

    def entries(self, partner: str | None = None, business_date: date | None = None) -> list[Entry]:
        """Rows in the order seen, optionally of one partner and/or business date; none when no
        file was ever registered."""
        if not self.path.is_file():
            return []
        where, args = ["1 = 1"], []
        for column, value in (("partner", partner), ("business_date", business_date)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(str(value))
        query = f"SELECT {', '.join(COLUMNS)} FROM landing WHERE {' AND '.join(where)} ORDER BY id"
        with self._connection(write=False) as con:
            return [Entry(*row) for row in con.execute(query, args).fetchall()]


def _latest(con: sqlite3.Connection, condition: str, arrival: Arrival, *args: str) -> Entry | None:
    """The last file of the arrival's partner and side matching `condition` that was read in."""
    statuses = ", ".join(f"'{outcome.value}'" for outcome in READ_IN)
    row = con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM landing WHERE partner = ? AND side = ? AND {condition} "
        f"AND status IN ({statuses}) AND ingested_at IS NOT NULL ORDER BY id DESC LIMIT 1",
        (arrival.partner, arrival.side, *args),
    ).fetchall()
    return Entry(*row[0]) if row else None


def _insert(
    con: sqlite3.Connection,
    arrival: Arrival,
    outcome: Outcome,
    current: Entry | None,
    duplicate: Entry | None,
) -> int:
    now = _now()
    (first_seen,) = con.execute(
        "SELECT min(first_seen_at) FROM landing WHERE partner = ? AND side = ? AND business_date = ? "
        "AND sha256 = ?",
        (arrival.partner, arrival.side, str(arrival.business_date), arrival.sha256),
    ).fetchall()[0]
    replaces = current.sha256 if current is not None and current.sha256 != arrival.sha256 else None
    cursor = con.execute(
        "INSERT INTO landing (side, partner, business_date, source_file, origin, etag, version_id, size, "
        "sha256, status, replaces_sha256, duplicate_of, first_seen_at, seen_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            arrival.side,
            arrival.partner,
            str(arrival.business_date),
            arrival.source_file,
            arrival.origin,
            arrival.etag,
            arrival.version_id,
            arrival.size,
            arrival.sha256,
            outcome.value,
            replaces,
            duplicate.business_date if duplicate is not None else None,
            first_seen or now,
            now,
        ),
    )
    return int(cursor.lastrowid or 0)
