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
       l.reference AS l_ref, p.record_type AS p_type, l.record_type AS l_type,
       p.currency AS p_currency, l.currency AS l_currency,
       p.amount_minor AS p_gross, {p_net} AS p_net, l.amount_minor AS l_amount,
       p.value_date AS p_date, l.value_date AS l_date, p.sort_key AS p_sort, l.sort_key AS l_sort
FROM partner_in p FULL OUTER JOIN ledger_in l ON p.reference = l.reference
"""

REPEATED = """
CREATE TEMP TABLE repeated_refs AS
SELECT ref FROM pairs WHERE ref IS NOT NULL GROUP BY ref HAVING count(*) > 1
"""

UNIQUE_PAIR = "(p_id IS NOT NULL AND l_id IS NOT NULL AND ref NOT IN (SELECT ref FROM repeated_refs))"


def pair_by_reference(con: duckdb.DuckDBPyConnection, rules: Sequence[MatchRule]) -> None:
    """Create `pairs`, `repeated_refs` and `fast_mismatches` from the `partner_in` and `ledger_in`
    views; the mismatches are few and read several times, so they are kept as a table."""
    uses_net = any(rule.compare == "net" for rule in rules)
    con.execute(PAIRS.format(p_net="p.net_minor" if uses_net else "p.amount_minor"))
    con.execute(REPEATED)
    key_rules = [rule for rule in rules if rule.match_on == "reference"]
    con.execute(
        f"""CREATE TEMP TABLE fast_mismatches AS
        SELECT *, {mismatch_type(key_rules)} AS break_type
        FROM pairs WHERE {UNIQUE_PAIR} AND ({first_accepting_rule(key_rules)}) IS NULL"""
    )


def unique_pair_matches(key_rules: Sequence[MatchRule]) -> str:
    """Query of the one-to-one pairs some key rule accepts, with the rule's name."""
    return f"""
        SELECT * FROM (SELECT *, {first_accepting_rule(key_rules)} AS rule FROM pairs WHERE {UNIQUE_PAIR})
        WHERE rule IS NOT NULL"""


def undecided_records(side: str) -> str:
    """One side's records the fast path leaves to the general cascade, in the cascade's columns:
    those without a counterpart reference and those whose reference is repeated."""
    if side == "partner":
        return """
            SELECT DISTINCT p_id, ref AS p_ref, p_type, p_currency, p_gross, p_net, p_date, p_sort
            FROM pairs WHERE p_id IS NOT NULL AND (l_id IS NULL OR ref IN (SELECT ref FROM repeated_refs))"""
    return """
        SELECT DISTINCT l_id, l_ref, l_type, l_currency, l_amount, l_date, l_sort
        FROM pairs WHERE l_id IS NOT NULL AND (p_id IS NULL OR ref IN (SELECT ref FROM repeated_refs))"""
