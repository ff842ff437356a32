"""Figures about one reconciled partner-day, read back from its published files.

The CLI summary, the Dagster metadata and the asset checks all use these, so every place
shows the same numbers. Break figures are about the open set as of the day (carried breaks
included, pending items excluded), not only the breaks decided that day.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from recon.config import PartnerConfig
from recon.open_breaks import largest_open_breaks, open_tally
from recon.sql import parquet
from recon.store import Layout


@dataclass(frozen=True)
class UnitMetrics:
    partner: str
    business_date: date
    partner_rows: int  # the day's records plus carried items that took part in its matching
    ledger_rows: int
    matched_pairs: int
    matches_by_rule: dict[str, int]
    breaks_by_type: dict[str, int]
    pending_items: int
    quarantined_rows: int
    value_at_risk_minor: dict[str, int]
    largest_breaks: pl.DataFrame
    balanced: bool

    @property
    def match_rate(self) -> float:
        """Share of partner records matched (1.0 for a day with no partner records)."""
        return self.matched_pairs / self.partner_rows if self.partner_rows else 1.0


def unit_metrics(
    layout: Layout, partner: PartnerConfig, business_date: date, largest: int = 10
) -> UnitMetrics:
    """Read the published results of one partner-day and the open breaks as of that day."""

    def path(table: str) -> str:
        return parquet(layout.result(table, partner.id, business_date))

    with duckdb.connect() as con:
        balance = con.sql(f"SELECT * FROM {path('balance')}").pl()
        matches_by_rule = dict(
            con.execute(f"SELECT rule, count(*) FROM {path('matches')} GROUP BY 1 ORDER BY 1").fetchall()
        )
        open_tally(con, layout, partner.id, business_date, partner.breaks)
        tally = con.execute(
            """SELECT status = 'pending' AS pending, break_type, currency, sum(items)::BIGINT,
                      sum(amount_minor)::BIGINT
            FROM open_tally GROUP BY ALL"""
        ).fetchall()
        top = largest_open_breaks(con, layout, partner.id, business_date, partner.breaks, largest)
    by_type: Counter[str] = Counter()
    at_risk: Counter[str] = Counter()
    pending = 0
    for is_pending, break_type, currency, count, amount in tally:
        if is_pending:
            pending += count
        else:
            by_type[break_type] += count
            at_risk[currency] += amount
    quarantined = int(balance["rows_quarantined"].sum())

    def considered(side: str) -> int:
        rows = balance.filter(pl.col("side") == side)
        return int(rows["rows_in"].sum() - rows["rows_quarantined"].sum())

    return UnitMetrics(
        partner=partner.id,
        business_date=business_date,
        partner_rows=considered("partner"),
        ledger_rows=considered("ledger"),
        matched_pairs=sum(matches_by_rule.values()),
        matches_by_rule=matches_by_rule,
        breaks_by_type=dict(sorted(by_type.items())),
        pending_items=pending,
        quarantined_rows=quarantined,
        value_at_risk_minor=dict(sorted(at_risk.items())),
        largest_breaks=top,
        balanced=bool(balance["balanced"].all()),
    )
