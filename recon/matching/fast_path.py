"""Stage for the clean majority: references that occur exactly once on each side.

One full outer join on the reference pairs both sides. A reference seen more than once in
that join (repeated on either side) is set aside with every record that has no counterpart;
all other pairs are strictly one-to-one, so the whole key cascade for them is a single CASE
expression, with no ranking and no candidate table. This is what keeps the match stage
close to the cost of a bare hash join at millions of rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from recon.config import MatchRule
from recon.matching.rules import first_accepting_rule, mismatch_type

PAIRS = """
CREATE TEMP TABLE pairs AS
SELECT p.record_id AS p_id, l.record_id AS l_id, coalesce(p.reference, l.reference) AS ref,
       l.reference AS l_ref,
       p.currency AS p_currency, l.currency AS l_currency,
       p.amount_minor AS p_gross, {p_net} AS p_net, l.amount_minor AS l_amount,
       p.value_date AS p_date, l.value_date AS l_date, p.sort_key AS p_sort
FROM partner_in p FULL OUTER JOIN ledger_in l ON p.reference = l.reference
"""

REPEATED = """
CREATE TEMP TABLE repeated_refs AS
SELECT ref FROM pairs WHERE ref IS NOT NULL GROUP BY ref HAVING count(*) > 1
"""

UNIQUE_PAIR = "(p_id IS NOT NULL AND l_id IS NOT NULL AND ref NOT IN (SELECT ref FROM repeated_refs))"


def pair_by_reference(con: duckdb.DuckDBPyConnection, rules: Sequence[MatchRule]) -> None:
    """Create `pairs` and `repeated_refs` from the `partner_in` and `ledger_in` views."""
    uses_net = any(rule.compare == "net" for rule in rules)
    con.execute(PAIRS.format(p_net="p.net_minor" if uses_net else "p.amount_minor"))
    con.execute(REPEATED)


def unique_pair_matches(key_rules: Sequence[MatchRule]) -> str:
    """Query of the one-to-one pairs some key rule accepts, with the rule's name."""
    return f"""
        SELECT * FROM (SELECT *, {first_accepting_rule(key_rules)} AS rule FROM pairs WHERE {UNIQUE_PAIR})
        WHERE rule IS NOT NULL"""


def unique_pair_mismatches(key_rules: Sequence[MatchRule]) -> str:
    """Query of the one-to-one pairs no key rule accepts, with their break type."""
    return f"""
        SELECT *, {mismatch_type(key_rules)} AS break_type
        FROM pairs WHERE {UNIQUE_PAIR} AND ({first_accepting_rule(key_rules)}) IS NULL"""


def unmatched_ids(side: str, key_rules: Sequence[MatchRule]) -> str:
    """Ids of one side's records the fast path does not match: undecided ones and both records
    of every one-to-one pair that became a mismatch break."""
    own = "p_id" if side == "partner" else "l_id"
    return f"{undecided_ids(side)} UNION ALL SELECT {own} FROM ({unique_pair_mismatches(key_rules)})"


def undecided_ids(side: str) -> str:
    """Ids of one side's records the fast path leaves to the general cascade."""
    own, other = ("p_id", "l_id") if side == "partner" else ("l_id", "p_id")
    return f"""
        SELECT {own} FROM pairs
        WHERE {own} IS NOT NULL AND ({other} IS NULL OR ref IN (SELECT ref FROM repeated_refs))"""
