"""The open set after a day: the latest checkpoint plus the carry files written since.

Rewriting every open item each day would make a day's cost grow with the open pool. Instead a
day's `carry.parquet` is its change to the open set: a row for each record whose open state it
wrote, and a closing row for each carried record it closed. The open set as of D is the latest
checkpoint (`open_index.parquet`, one narrow row per open record) on or before D, plus the open
carry rows of the days after it, less every row a later carry row supersedes. A carry row
supersedes the earlier rows of its record when the record was carried into its day, that is
first seen before it.

A day writes a checkpoint only when the entries since the last one are at least as much dead as
alive, so a checkpoint never costs more than the closures that made it due, or when
`max_days` carry files lie on top of the last one, so no day opens more files than that.
Either way the result is the same open set; checkpoints only bound what a later day reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from recon.sql import first_row, parquet, quote, scalar
from recon.store import Layout

# A record's integer key, unique per side: the day it arrived and its line.
SORT_KEY = "((business_date - DATE '1970-01-01')::BIGINT << 32) | source_line"
INDEX_COLUMNS = (
    "side, record_id, carried_on, break_id, break_type, keyed, counterpart_id, "
    f"reference, currency, amount_minor, net_minor, value_date, first_seen, {SORT_KEY} AS sort_key"
)


@dataclass(frozen=True)
class OpenSet:
    """Where the open set as of a day lies: a checkpoint (None before the first) and the carry
    files of the days after it, oldest first."""

    checkpoint: Path | None
    deltas: tuple[Path, ...]

    def then(self, carry: Path) -> OpenSet:
        """The open set one day later, whose carry file is `carry`."""
        return OpenSet(self.checkpoint, (*self.deltas, carry))

    def sql(self) -> str:
        """A relation with one row of INDEX_COLUMNS per open record."""
        entries = [f"SELECT * FROM {parquet(self.checkpoint)}"] if self.checkpoint else []
        if not self.deltas:
            return f"({entries[0]})"
        deltas = parquet(*self.deltas)
        entries.append(f"SELECT {INDEX_COLUMNS} FROM {deltas} WHERE open")
        return f"""(
            SELECT e.* FROM ({" UNION ALL BY NAME ".join(entries)}) e
            ANTI JOIN (SELECT side, record_id, carried_on FROM {deltas} WHERE first_seen < carried_on) s
                ON s.side = e.side AND s.record_id = e.record_id AND s.carried_on > e.carried_on
        )"""


EMPTY = OpenSet(None, ())


def open_set_as_of(layout: Layout, partner_id: str, as_of: date) -> OpenSet | None:
    """The open set of a partner after the day `as_of`; None when no day up to it was reconciled."""
    checkpoints = [
        (day, path) for day, path in layout.partner_results(partner_id, "open_index") if day <= as_of
    ]
    since = checkpoints[-1][0] if checkpoints else date.min
    deltas = tuple(path for day, path in layout.partner_results(partner_id, "carry") if since < day <= as_of)
    if not checkpoints and not deltas:
        return None
    return OpenSet(checkpoints[-1][1] if checkpoints else None, deltas)


def write_checkpoint(con: duckdb.DuckDBPyConnection, open_set: OpenSet, max_days: int, out: Path) -> bool:
    """Write `open_set` to `out` when a checkpoint is due (see the module docstring); says whether
    it wrote one."""
    entries, dead = first_row(
        con,
        f"SELECT count(*) FILTER (open), count(*) FILTER (first_seen < carried_on) "
        f"FROM {parquet(*open_set.deltas)}",
    )
    if open_set.checkpoint is not None:
        entries += scalar(con, f"SELECT count(*) FROM {parquet(open_set.checkpoint)}")
    if len(open_set.deltas) < max_days and dead < entries - dead:
        return False
    con.execute(
        f"COPY (SELECT * FROM {open_set.sql()} ORDER BY side, sort_key) TO {quote(str(out))} (FORMAT parquet)"
    )
    return True
