"""The per-day summary per partner and currency that ops and the Dagster UI read.

One row per currency: rows in, matched (by rule), pending items, open breaks by type and by
age bucket, value at risk, breaks new today and resolved today, and the match rate. Value at
risk is the sum of |amount| of open breaks past their grace period, in minor units of the
currency (never converted, never summed across currencies).
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from recon.config import BREAK_TYPES, ReconConfig
from recon.day_inputs import day_inputs, records_relation
from recon.lifecycle import AGE_BUCKETS
from recon.open_breaks import open_tally
from recon.open_breaks_view import install_open_breaks_view
from recon.sql import parquet, quote
from recon.store import Layout, refresh_views, write_parquet
from recon.versions import partner_versions


def _bucket_column(bucket: str) -> str:
    return "age_" + bucket.replace("-", "_").replace(">", "over_")


def _items(condition: str) -> str:
    """Open items of the tally rows that meet `condition` (NULL when none)."""
    return f"CAST(sum(items) FILTER ({condition}) AS BIGINT)"


def summary_sql(partner_id: str, business_date: date, rules: list[str]) -> str:
    by_type = ",\n".join(
        _items(f"open_break AND break_type = '{kind}'") + f" AS open_{kind}" for kind in BREAK_TYPES
    )
    by_age = ",\n".join(
        _items(f"open_break AND age_bucket = '{bucket}'") + f" AS {_bucket_column(bucket)}"
        for bucket in AGE_BUCKETS
    )
    by_rule = " || '; ' || ".join(f"'{rule}=' || coalesce(m.by_rule['{rule}'], 0)" for rule in rules)
    return f"""
    WITH weighed AS (
        SELECT currency, break_type, age_bucket, status = 'pending' AS pending,
               status <> 'pending' AS open_break, status = 'new' AS new_break,
               items, amount_minor AS amount
        FROM open_tally
    ), open_by_currency AS (
        SELECT currency, {_items("pending")} AS pending_items, {_items("open_break")} AS open_breaks,
               {by_type}, {by_age},
               coalesce(sum(amount) FILTER (open_break), 0)::BIGINT AS value_at_risk_minor,
               {_items("new_break")} AS new_breaks
        FROM weighed GROUP BY currency
    ), rows_in AS (
        SELECT currency, count(*) FILTER (side = 'partner') AS partner_rows_in,
               count(*) FILTER (side = 'ledger') AS ledger_rows_in
        FROM (SELECT side, currency FROM today_partner UNION ALL SELECT side, currency FROM today_ledger)
        GROUP BY currency
    ), considered AS (
        SELECT currency, sum(rows_in) AS partner_considered
        FROM balance_now WHERE side = 'partner' GROUP BY currency
    ), quarantined AS (
        SELECT coalesce(currency, '?') AS currency, count(*) AS quarantined_rows
        FROM quarantine_now GROUP BY 1
    ), m AS (
        SELECT currency, sum(n)::BIGINT AS matched_pairs, map(list(rule), list(n)) AS by_rule
        FROM (SELECT currency, rule, count(*) AS n FROM matches_now GROUP BY ALL) GROUP BY currency
    ), r AS (
        SELECT currency, count(*) AS resolved_breaks FROM resolved_now GROUP BY currency
    ), currencies AS (
        SELECT currency FROM rows_in UNION SELECT currency FROM open_by_currency
        UNION SELECT currency FROM quarantined UNION SELECT currency FROM r
    )
    SELECT partner, DATE '{business_date.isoformat()}' AS business_date, c.currency,
           coalesce(partner_rows_in, 0) AS partner_rows_in, coalesce(ledger_rows_in, 0) AS ledger_rows_in,
           coalesce(quarantined_rows, 0) AS quarantined_rows, coalesce(matched_pairs, 0) AS matched_pairs,
           {by_rule or "''"} AS matched_by_rule,
           CASE WHEN coalesce(partner_considered, 0) > 0
                THEN (coalesce(matched_pairs, 0)::DECIMAL(18, 6) / partner_considered)::DECIMAL(7, 4)
           END AS match_rate,
           coalesce(pending_items, 0) AS pending_items, coalesce(open_breaks, 0) AS open_breaks,
           {", ".join(f"coalesce(open_{kind}, 0) AS open_{kind}" for kind in BREAK_TYPES)},
           {", ".join(f"coalesce({_bucket_column(b)}, 0) AS {_bucket_column(b)}" for b in AGE_BUCKETS)},
           coalesce(value_at_risk_minor, 0) AS value_at_risk_minor, coalesce(new_breaks, 0) AS new_breaks,
           coalesce(resolved_breaks, 0) AS resolved_breaks
    FROM currencies c CROSS JOIN (SELECT {quote(partner_id)} AS partner)
    LEFT JOIN rows_in USING (currency) LEFT JOIN quarantined USING (currency) LEFT JOIN m USING (currency)
    LEFT JOIN open_by_currency USING (currency) LEFT JOIN r USING (currency)
    LEFT JOIN considered USING (currency)
    ORDER BY c.currency"""


def summarise_partner_day(
    config: ReconConfig, partner_id: str, business_date: date, layout: Layout
) -> pl.DataFrame:
    """Compute and publish `summary.parquet` for one reconciled partner-day: the last step of a
    partner-day, so it also refreshes the SQL views over the data directory once committed."""
    with partner_versions(layout, [partner_id], config.engine.lock_timeout_seconds) as draft:
        summary = _summarise(config, partner_id, business_date, draft)
    if partner_id not in layout.drafts:  # committed here, not by an enclosing step
        refresh_data_views(config, layout)
    return summary


def refresh_data_views(config: ReconConfig, layout: Layout) -> None:
    """The SQL views over the data directory, with the derived `open_breaks` view."""
    refresh_views(layout, lambda con: install_open_breaks_view(con, config))


def _summarise(config: ReconConfig, partner_id: str, business_date: date, layout: Layout) -> pl.DataFrame:
    partner = config.partner(partner_id)
    with duckdb.connect() as con:
        open_tally(con, layout, partner_id, business_date, partner.breaks)
        inputs = day_inputs(config, layout, partner_id, business_date)
        for side in ("partner", "ledger"):
            con.execute(f"CREATE VIEW today_{side} AS {records_relation(layout, inputs, side)}")
        for view, table in (
            ("matches_now", "matches"),
            ("resolved_now", "resolved"),
            ("quarantine_now", "quarantine"),
            ("balance_now", "balance"),
        ):
            source = parquet(layout.result(table, partner_id, business_date))
            con.execute(f"CREATE VIEW {view} AS SELECT * FROM {source}")
        summary = con.sql(summary_sql(partner_id, business_date, [rule.name for rule in partner.rules])).pl()
    write_parquet(summary, layout.result("summary", partner_id, business_date))
    return summary
