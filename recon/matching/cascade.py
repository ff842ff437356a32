"""The general cascade over the records the fast path could not decide (docs/matching.md).

Works on two small tables, `open_p` and `open_l`, and records every decision in `decided`:
one row per partner/ledger record pair or single record, with the outcome (a rule name or a
break type). Each stage removes what it decided from the open tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from recon.config import MatchRule
from recon.matching.band import nokey_pairs
from recon.matching.rules import accepts, compared_amount, mismatch_type
from recon.matching.selection import select_one_to_one

OPEN_COLUMNS = {
    "partner": "record_id AS p_id, reference AS p_ref, record_type AS p_type, currency AS p_currency, "
    "amount_minor AS p_gross, net_minor AS p_net, value_date AS p_date, sort_key AS p_sort",
    "ledger": "record_id AS l_id, reference AS l_ref, record_type AS l_type, currency AS l_currency, "
    "amount_minor AS l_amount, value_date AS l_date, sort_key AS l_sort",
}

DECIDED = """
CREATE OR REPLACE TEMP TABLE decided (
    p_id VARCHAR, l_id VARCHAR, outcome VARCHAR, kind VARCHAR, detail VARCHAR
)"""


def open_records(con: duckdb.DuckDBPyConnection, side: str, records: str | None) -> None:
    """Create `pool_p`/`pool_l` (kept for the outputs) and their working copies `open_p`/`open_l`
    from a query in the cascade's columns, or from every input record when `records` is None."""
    prefix = "p" if side == "partner" else "l"
    source = records or f"SELECT {OPEN_COLUMNS[side]} FROM {side}_in"
    con.execute(f"CREATE OR REPLACE TEMP TABLE pool_{prefix} AS {source}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE open_{prefix} AS SELECT * FROM pool_{prefix}")


def run_cascade(con: duckdb.DuckDBPyConnection, rules: Sequence[MatchRule]) -> None:
    """Decide every open record: duplicates, key rules, key mismatches, no-key rules, leftovers."""
    con.execute(DECIDED)
    _duplicates(con)
    key_rules = [rule for rule in rules if rule.match_on == "reference"]
    for rule in key_rules:
        _key_rule(con, rule)
    if key_rules:
        _key_mismatches(con, key_rules)
    for rule in rules:
        if rule.match_on == "none":
            _nokey_rule(con, rule)
    con.execute("INSERT INTO decided SELECT p_id, NULL, 'missing_in_ledger', 'break', NULL FROM open_p")
    con.execute("INSERT INTO decided SELECT NULL, l_id, 'missing_at_partner', 'break', NULL FROM open_l")


def _remove_decided(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM open_p WHERE p_id IN (SELECT p_id FROM decided WHERE p_id IS NOT NULL)")
    con.execute("DELETE FROM open_l WHERE l_id IN (SELECT l_id FROM decided WHERE l_id IS NOT NULL)")


def _duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """Later copies of the same item on one side become `duplicate` breaks naming the first."""
    for side, prefix, amount in (("partner", "p", "p_gross"), ("ledger", "l", "l_amount")):
        table = f"open_{prefix}"
        id_pair = f"{prefix}_id, NULL" if side == "partner" else f"NULL, {prefix}_id"
        con.execute(
            f"""INSERT INTO decided
            SELECT {id_pair}, 'duplicate', 'break', 'duplicate of ' || original FROM (
                SELECT {prefix}_id,
                       first_value({prefix}_id) OVER w AS original, row_number() OVER w AS copy_number
                FROM {table} WHERE {prefix}_ref IS NOT NULL
                WINDOW w AS (PARTITION BY {prefix}_ref, {prefix}_type, {prefix}_currency, {amount},
                             {prefix}_date ORDER BY {prefix}_sort)
            ) WHERE copy_number > 1"""
        )
    _remove_decided(con)


def _select_and_record(con: duckdb.DuckDBPyConnection, stage: str, outcome_of_pair: str, kind: str) -> None:
    """Run one-to-one selection on `candidates`; record accepted pairs and ambiguous records."""
    selection = select_one_to_one(con, "candidates", stage)
    con.execute(
        f"""INSERT INTO decided
        SELECT a.p_id, a.l_id, {outcome_of_pair}, '{kind}', NULL
        FROM {selection.accepted} a JOIN open_p USING (p_id) JOIN open_l USING (l_id)"""
    )
    con.execute(
        f"""INSERT INTO decided
        SELECT CASE WHEN side = 'partner' THEN record_id END, CASE WHEN side = 'ledger' THEN record_id END,
               'ambiguous', 'break', 'equally good candidates: ' || tied_with
        FROM {selection.ambiguous}"""
    )
    _remove_decided(con)


def _scores(rule_amount: str) -> str:
    return f"abs({rule_amount} - l_amount) AS s2, abs(p_date - l_date) AS s3"


def _key_rule(con: duckdb.DuckDBPyConnection, rule: MatchRule) -> None:
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE candidates AS
        SELECT p_id, l_id, 0 AS s1, {_scores(compared_amount(rule))}
        FROM open_p JOIN open_l ON p_ref = l_ref WHERE {accepts(rule)}"""
    )
    _select_and_record(con, rule.name, f"'{rule.name}'", "match")


def _key_mismatches(con: duckdb.DuckDBPyConnection, key_rules: Sequence[MatchRule]) -> None:
    """Same-reference pairs no key rule accepted: one break per pair, currency first."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE candidates AS
        SELECT p_id, l_id, (p_currency <> l_currency)::INTEGER AS s1, {_scores("p_gross")}
        FROM open_p JOIN open_l ON p_ref = l_ref"""
    )
    _select_and_record(con, "key_mismatch", mismatch_type(key_rules), "break")


def _nokey_rule(con: duckdb.DuckDBPyConnection, rule: MatchRule) -> None:
    nokey_pairs(
        con, rule, "open_p", "open_l", f"p_id, l_id, 0 AS s1, {_scores(compared_amount(rule))}", "candidates"
    )
    _select_and_record(con, rule.name, f"'{rule.name}'", "match")
