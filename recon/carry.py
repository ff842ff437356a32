"""Open items carried from one business day to the next.

Every reconciliation of day D writes `carry.parquet`: one row per record whose open state D
wrote (with its canonical fields, first-seen date and the break it belongs to) and one closing
row per carried record that matched on D. Day D+1 reads the open set after D (recon.open_index:
narrow rows, without rewriting it) and, for the few records that take part, their rows in the
carry files the open set points at. Files are immutable, so re-running an earlier day only needs
the later days recomputed in order.

Which carried records take part in D's matching. Two records are linked when some stage of the
cascade could weigh them together: they share a non-empty reference (on either side), or they
are a partner and a ledger record that a no-key rule accepts (currency, amount within tolerance,
value date within the window) and both may meet in the no-key stage. Every candidate pair of
every stage is a link, and each stage decides a group of linked records without looking outside
it, so what becomes of a record depends only on the records linked to it, directly or through
others. The participants are every open carried record joined to one of D's new records by a
chain of links: a walk from the new records, each step adding the carried records linked to
what the previous step added, until a step adds none.

Who may meet in the no-key stage: any record, except one whose reference occurs exactly once on
each side among D's records and the open carried ones (with key rules configured): the key
stages decide that pair whatever else takes part. A carried record left missing or ambiguous
counts all the same, because it was in the no-key stage on the day it was decided, and what was
decided then for the records weighed with it may change once it leaves.

Why the whole chain, not only the carried records a new record reaches: a new record that
matches a carried one frees what that one was weighed with, the other record of its pair break
(same reference) and the other members of its tie, and they in turn may take their next-best
candidate, a carried record they never tied with. (P1 ties La and Lb, and Lc a cent further is
left without a partner; when La and Lb match by key on a later day, P1 pairs with Lc.) And why
a link counts whatever other candidates a new record has: a reference can repeat within the day,
and a carried record can take a new record's same-reference counterpart.

Carried records without such a chain keep their outcome: nothing arrived that any of them could
be weighed with, so nothing of the day can change them, and they are left where they lie.
Carried duplicates are not linked: a duplicate stays one until someone closes it. A step of the
walk compares only its frontier with the carried records on the currencies and value dates the
frontier reaches, so a day costs what its records reach, not what the pool holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from recon.config import MatchRule
from recon.matching.band import nokey_pairs
from recon.open_index import EMPTY, SORT_KEY, OpenSet, open_set_as_of
from recon.sql import parquet, scalar
from recon.store import Layout

# What the walk needs of a record to find the records it is linked to.
LINK_COLUMNS = "reference, currency, amount_minor, net_minor, value_date"
# Breaks of records that took part in the no-key stage on the day they were decided.
LEFT_TO_NOKEY = "('ambiguous', 'missing_in_ledger', 'missing_at_partner')"


@dataclass(frozen=True)
class CarriedState:
    """What a day needs from earlier days: the open set after the day it follows (None on a
    partner's first day), and the carry files of earlier days by date."""

    open_set: OpenSet | None
    carry_files: dict[date, Path]

    def open_after(self, carry: Path) -> OpenSet:
        """The open set after the day, whose carry file is `carry`."""
        return (self.open_set or EMPTY).then(carry)


def carried_state(layout: Layout, partner_id: str, follows: date | None) -> CarriedState:
    """The open set after `follows`, the last reconciled day before the one being reconciled
    (recon.day_inputs decides it); nothing is carried on a partner's first day."""
    if follows is None:
        return CarriedState(None, {})
    carry = {day: path for day, path in layout.partner_results(partner_id, "carry") if day <= follows}
    return CarriedState(open_set_as_of(layout, partner_id, follows), carry)


def carried_participants(
    con: duckdb.DuckDBPyConnection, state: CarriedState, rules: Sequence[MatchRule]
) -> None:
    """Create `carried_in`: open carried records linked to the day's new records in the views
    `today_partner` and `today_ledger` (see the module docstring): canonical columns,
    `first_seen`, and the break they were in (`break_id`, `break_type`, `keyed` when the break
    is keyed on this record)."""
    if state.open_set is None:
        _no_carried_records(con)
        return
    con.execute(
        f"""CREATE TEMP TABLE carried_open AS
        SELECT side, sort_key, record_id, carried_on, break_type, {LINK_COLUMNS}
        FROM {state.open_set.sql()} WHERE break_type <> 'duplicate'"""
    )
    con.execute(
        f"""CREATE TEMP VIEW today_records AS
        SELECT side, {SORT_KEY} AS sort_key, {LINK_COLUMNS} FROM today_partner
        UNION ALL SELECT side, {SORT_KEY}, {LINK_COLUMNS} FROM today_ledger"""
    )
    _unsettled_references(con, any(rule.match_on == "reference" for rule in rules))
    unsettled = "reference IS NULL OR reference IN (SELECT reference FROM unsettled)"
    con.execute(
        f"""CREATE TEMP TABLE carried_index AS
        SELECT * EXCLUDE (break_type), (break_type IN {LEFT_TO_NOKEY} OR {unsettled}) AS nokey
        FROM carried_open"""
    )
    # The walk starts from every new record by reference, and from those that may meet in the
    # no-key stage by no-key rules: the few new records with an unsettled reference or none.
    con.execute(f"CREATE TEMP TABLE frontier AS SELECT *, TRUE AS nokey FROM today_records WHERE {unsettled}")
    con.execute("DROP TABLE carried_open")
    con.execute("CREATE TEMP TABLE carried_pick AS SELECT side, sort_key FROM carried_index LIMIT 0")
    con.execute(
        "CREATE TEMP VIEW unpicked AS "
        "SELECT * FROM carried_index ANTI JOIN carried_pick USING (side, sort_key)"
    )
    nokey_rules = [rule for rule in rules if rule.match_on == "none"]
    referenced = "today_records"
    while _walk_one_step(con, nokey_rules, referenced):
        referenced = "frontier"
        con.execute("INSERT INTO carried_pick SELECT * FROM reached")
        con.execute(
            """CREATE OR REPLACE TEMP TABLE frontier AS
            SELECT side, sort_key, reference, currency, amount_minor, net_minor, value_date, nokey
            FROM carried_index SEMI JOIN reached USING (side, sort_key)"""
        )
    picked = (
        "SELECT side, record_id, carried_on FROM carried_index SEMI JOIN carried_pick USING (side, sort_key)"
    )
    days = [
        row[0] for row in con.execute(f"SELECT DISTINCT carried_on FROM ({picked}) ORDER BY 1").fetchall()
    ]
    if not days:
        _no_carried_records(con)
        return
    con.execute(
        f"""CREATE TEMP TABLE carried_in AS
        SELECT h.* EXCLUDE (carried_on, open)
        FROM {parquet(*(state.carry_files[day] for day in days))} h SEMI JOIN ({picked}) p
            ON p.side = h.side AND p.record_id = h.record_id AND p.carried_on = h.carried_on"""
    )


def _unsettled_references(con: duckdb.DuckDBPyConnection, key_rules: bool) -> None:
    """Create `unsettled(reference)`: the references that do not occur exactly once on each side
    among the day's records and the open carried ones (all of them without key rules). A pair
    with such a settled reference is decided by the key stages whatever else takes part, so
    neither record reaches the no-key stage; the unsettled ones are the few to look up."""
    con.execute(
        f"""CREATE TEMP TABLE unsettled AS
        SELECT reference FROM (
            SELECT side, reference FROM today_records UNION ALL SELECT side, reference FROM carried_open
        ) WHERE reference IS NOT NULL
        GROUP BY reference
        HAVING NOT {key_rules}
            OR count(*) FILTER (side = 'partner') <> 1 OR count(*) FILTER (side = 'ledger') <> 1"""
    )


def _walk_one_step(con: duckdb.DuckDBPyConnection, nokey_rules: Sequence[MatchRule], referenced: str) -> int:
    """Create `reached(side, sort_key)`: the carried records not yet picked that share a reference
    with a record of `referenced` or that a no-key rule links to one of `frontier`; returns how
    many."""
    parts = [
        "SELECT side, sort_key FROM unpicked "
        f"WHERE reference IN (SELECT reference FROM {referenced} WHERE reference IS NOT NULL)"
    ]
    for number, rule in enumerate(nokey_rules):
        for side, other in (("partner", "ledger"), ("ledger", "partner")):
            ends = {
                side: _band_input(con, side, "frontier"),
                other: _band_input(con, other, "unpicked", rule),
            }
            reached_id, out = ("l_id" if other == "ledger" else "p_id"), f"reach_{number}_{other}"
            nokey_pairs(con, rule, ends["partner"], ends["ledger"], reached_id, out)
            parts.append(f"SELECT '{other}', {reached_id} FROM {out}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE reached AS {' UNION '.join(parts)}")
    return scalar(con, "SELECT count(*) FROM reached")


def _band_input(con: duckdb.DuckDBPyConnection, side: str, source: str, near: MatchRule | None = None) -> str:
    """Create a table of one side's rows of `source` that may meet in the no-key stage, in the
    columns recon.matching.band expects; with `near`, only those on the currencies and value
    dates that the rule's window reaches from the other side's rows of `frontier`. Returns its
    name. (A table, not a view: over views the band join is planned as a far slower join.)"""
    name = f"band_{source}_{side}"
    if side == "partner":
        columns = "currency AS p_currency, amount_minor AS p_gross, net_minor AS p_net, value_date AS p_date"
        offsets = "o::INTEGER"  # partner value date minus ledger value date
    else:
        columns = "currency AS l_currency, amount_minor AS l_amount, value_date AS l_date"
        offsets = "-o::INTEGER"
    where = f"WHERE side = '{side}' AND nokey"
    if near is not None:
        window = near.date_window
        other = "ledger" if side == "partner" else "partner"
        where += f""" AND (currency, value_date) IN (
            SELECT DISTINCT (currency, value_date + {offsets})
            FROM frontier, range({-window.days_before}, {window.days_after + 1}) r(o)
            WHERE side = '{other}' AND nokey)"""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS "
        f"SELECT sort_key AS {side[0]}_id, {columns} FROM {source} {where}"
    )
    return name


def _no_carried_records(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TEMP TABLE carried_in AS SELECT *, NULL::DATE AS first_seen, NULL::VARCHAR AS break_id, "
        "NULL::VARCHAR AS break_type, NULL::BOOLEAN AS keyed, NULL::VARCHAR AS counterpart_id, "
        "NULL::VARCHAR AS detail FROM today_partner LIMIT 0"
    )
