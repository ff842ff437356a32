"""One-to-one selection over a table of candidate pairs: mutual unique best, in rounds.

A pair is taken only when it is the single best candidate of both of its records; a record
whose best is shared is left `ambiguous` together with the candidates it ties with. Nothing
depends on row order, so reruns give the same pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from recon.sql import scalar

RANKED = """
CREATE OR REPLACE TEMP TABLE sel_ranked AS
WITH r AS (
    SELECT p_id, l_id,
           rank() OVER (PARTITION BY p_id ORDER BY s1, s2, s3) AS rp,
           rank() OVER (PARTITION BY l_id ORDER BY s1, s2, s3) AS rl
    FROM {candidates}
)
SELECT *,
       count(*) FILTER (WHERE rp = 1) OVER (PARTITION BY p_id) AS np,
       count(*) FILTER (WHERE rl = 1) OVER (PARTITION BY l_id) AS nl
FROM r
"""

TIES = """
CREATE OR REPLACE TEMP TABLE sel_ties AS
WITH tie_rows AS (
    SELECT p_id, l_id FROM sel_ranked WHERE (rp = 1 AND np > 1) OR (rl = 1 AND nl > 1)
)
SELECT 'partner' AS side, p_id AS record_id, string_agg(l_id, ',' ORDER BY l_id) AS tied_with
FROM tie_rows GROUP BY p_id
UNION ALL
SELECT 'ledger', l_id, string_agg(p_id, ',' ORDER BY p_id) FROM tie_rows GROUP BY l_id
"""


@dataclass(frozen=True)
class Selection:
    """Names of the tables a selection filled: accepted pairs and ambiguous records."""

    accepted: str
    ambiguous: str


def select_one_to_one(con: duckdb.DuckDBPyConnection, candidates: str, prefix: str) -> Selection:
    """Consume `candidates` (p_id, l_id, s1, s2, s3; lower is better) into accepted pairs and ties.

    The candidate table is emptied as records are decided. Returns table names
    `<prefix>_accepted(p_id, l_id)` and `<prefix>_ambiguous(side, record_id, tied_with)`.
    """
    accepted, ambiguous = f"{prefix}_accepted", f"{prefix}_ambiguous"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {accepted} (p_id VARCHAR, l_id VARCHAR)")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ambiguous} (side VARCHAR, record_id VARCHAR, tied_with VARCHAR)"
    )
    while scalar(con, f"SELECT count(*) FROM {candidates}"):
        con.execute(RANKED.format(candidates=candidates))
        taken = scalar(
            con,
            f"INSERT INTO {accepted} SELECT p_id, l_id FROM sel_ranked "
            "WHERE rp = 1 AND rl = 1 AND np = 1 AND nl = 1",
        )
        if taken:
            _drop_decided(con, candidates, f"SELECT p_id, l_id FROM {accepted}")
            continue
        con.execute(TIES)
        con.execute(f"INSERT INTO {ambiguous} SELECT * FROM sel_ties")
        _drop_decided(
            con,
            candidates,
            "SELECT CASE WHEN side = 'partner' THEN record_id END, "
            "CASE WHEN side = 'ledger' THEN record_id END FROM sel_ties",
        )
    return Selection(accepted=accepted, ambiguous=ambiguous)


def _drop_decided(con: duckdb.DuckDBPyConnection, candidates: str, decided: str) -> None:
    con.execute(
        f"""DELETE FROM {candidates} WHERE p_id IN (SELECT d.p FROM ({decided}) d(p, l) WHERE d.p IS NOT NULL)
            OR l_id IN (SELECT d.l FROM ({decided}) d(p, l) WHERE d.l IS NOT NULL)"""
    )
