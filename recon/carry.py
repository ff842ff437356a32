"""Open items carried from one business day to the next.

Every reconciliation of day D writes `carry.parquet`: one row per record whose open state D
wrote (with its canonical fields, first-seen date and the break it belongs to) and one closing
row per carried record that matched on D. Day D+1 reads the open set after D (recon.open_index:
narrow rows, without rewriting it) and, for the few records that take part, their rows in the
carry files the open set points at. Files are immutable, so re-running an earlier day only needs
the later days recomputed in order.

Only carried records that could pair with something that arrived on D join D's matching:
those sharing a reference with a new record of either side, and those whose value date is
within reach of a no-key rule's window; with each of them comes the other record of its break,
so a pair break is weighed as a pair. Participants are weighed again together with the new
records, so a tie that a new arrival breaks is resolved; a carried duplicate stays a duplicate
until someone closes it, whatever arrives. The rest of the pool is left where it lies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from recon.config import MatchRule
from recon.open_index import EMPTY, OpenSet, open_set_as_of
from recon.sql import parquet
from recon.store import Layout


@dataclass(frozen=True)
class CarriedState:
    """What a day needs from earlier days: the open set after the previous day and its tally
    (None on a partner's first day), and the carry files of earlier days by date."""

    open_set: OpenSet | None
    open_tally: Path | None
    carry_files: dict[date, Path]

    def open_after(self, carry: Path) -> OpenSet:
        """The open set after the day, whose carry file is `carry`."""
        return (self.open_set or EMPTY).then(carry)


def carried_state(layout: Layout, partner_id: str, follows: date | None) -> CarriedState:
    """The open set after `follows`, the last reconciled day before the one being reconciled
    (recon.day_inputs decides it); nothing is carried on a partner's first day."""
    if follows is None:
        return CarriedState(None, None, {})
    carry = {day: path for day, path in layout.partner_results(partner_id, "carry") if day <= follows}
    tally = layout.result("open_tally", partner_id, follows)
    return CarriedState(open_set_as_of(layout, partner_id, follows), tally, carry)


def carried_participants(
    con: duckdb.DuckDBPyConnection, state: CarriedState, rules: Sequence[MatchRule]
) -> None:
    """Create `carried_in`: open carried records that may pair with the day's new records in the
    views `today_partner` and `today_ledger`: canonical columns, `first_seen`, and the break they
    were in (`break_id`, `break_type`, `keyed` when the break is keyed on this record)."""
    if state.open_set is None:
        _no_carried_records(con)
        return
    con.execute(f"CREATE TEMP VIEW carried_index AS SELECT * FROM {state.open_set.sql()}")
    con.execute(
        "CREATE TEMP VIEW today_all AS SELECT reference, currency, value_date FROM today_partner "
        "UNION ALL SELECT reference, currency, value_date FROM today_ledger"
    )
    reach = _nokey_reach_days(rules)
    near = (
        f"OR (h.currency, h.value_date) IN (SELECT (currency, day) FROM {_reach_of_unpaired(reach)})"
        if (reach is not None)
        else ""
    )
    con.execute(
        f"""CREATE TEMP TABLE carried_pick AS
        SELECT side, record_id, carried_on, counterpart_id FROM carried_index h
        WHERE h.break_type <> 'duplicate' AND (
            h.reference IN (SELECT reference FROM today_all WHERE reference IS NOT NULL) {near})"""
    )
    # recon.lifecycle.write_carry writes the two records of a break together, so a counterpart's
    # current row lies in the carry file of its partner's, under the same `carried_on`.
    con.execute(
        """INSERT INTO carried_pick
        SELECT CASE side WHEN 'partner' THEN 'ledger' ELSE 'partner' END, counterpart_id, carried_on, NULL
        FROM carried_pick WHERE counterpart_id IS NOT NULL
        EXCEPT SELECT side, record_id, carried_on, NULL FROM carried_pick"""
    )
    days = [
        row[0] for row in con.execute("SELECT DISTINCT carried_on FROM carried_pick ORDER BY 1").fetchall()
    ]
    if not days:
        _no_carried_records(con)
        return
    con.execute(
        f"""CREATE TEMP TABLE carried_in AS
        SELECT h.* EXCLUDE (carried_on, open)
        FROM {parquet(*(state.carry_files[day] for day in days))} h SEMI JOIN carried_pick p
            ON p.side = h.side AND p.record_id = h.record_id AND p.carried_on = h.carried_on"""
    )


def _no_carried_records(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TEMP TABLE carried_in AS SELECT *, NULL::DATE AS first_seen, NULL::VARCHAR AS break_id, "
        "NULL::VARCHAR AS break_type, NULL::BOOLEAN AS keyed, NULL::VARCHAR AS counterpart_id, "
        "NULL::VARCHAR AS detail FROM today_partner LIMIT 0"
    )


def _reach_of_unpaired(reach: int) -> str:
    """(currency, day) pairs a no-key rule could reach from a new record that has no same-reference
    counterpart among the day's records: only those records can end in the no-key stages."""
    return f"""(
        SELECT DISTINCT currency, value_date + o::INTEGER AS day
        FROM (
            SELECT currency, value_date FROM today_partner p
            WHERE reference IS NULL OR reference NOT IN (
                SELECT reference FROM today_ledger WHERE reference IS NOT NULL)
            UNION ALL
            SELECT currency, value_date FROM today_ledger l
            WHERE reference IS NULL OR reference NOT IN (
                SELECT reference FROM today_partner WHERE reference IS NOT NULL)
        ), range({-reach}, {reach + 1}) r(o)
    )"""


def _nokey_reach_days(rules: Sequence[MatchRule]) -> int | None:
    """Widest date window of any no-key rule, either way; None when no rule matches without a key."""
    windows = [rule.date_window for rule in rules if rule.match_on == "none"]
    return max((max(w.days_before, w.days_after) for w in windows), default=None)
