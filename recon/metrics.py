"""Figures about one reconciled partner-day, read back from its published files.

The CLI summary, the Dagster metadata and the asset checks all use these, so every place
shows the same numbers. Break figures are about the open set as of the day (carried breaks
included, pending items excluded), not only the breaks decided that day.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb
import polars as pl

from recon.config import CheckThresholds, PartnerConfig
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
    partner_quarantined: int  # of quarantined_rows, the partner file's
    delivered_rows: dict[str, int]  # per side: rows of the day's files, quarantined ones included
    quarantined_by_side: dict[str, int]
    value_at_risk_minor: dict[str, int]
    largest_breaks: pl.DataFrame
    balanced: bool

    @property
    def match_rate(self) -> float:
        """Share of partner rows matched, quarantined rows counted as unmatched (1.0 for a day
        with no partner rows at all)."""
        rows = self.partner_rows + self.partner_quarantined
        return self.matched_pairs / rows if rows else 1.0

    @property
    def rows_in(self) -> int:
        """Partner and ledger rows weighed, plus quarantined rows."""
        return self.partner_rows + self.ledger_rows + self.quarantined_rows


def quarantine_problem(metrics: UnitMetrics, thresholds: CheckThresholds) -> str | None:
    """One line when a side's file of the day is quarantined beyond the partner's limit (a file
    quarantined whole always is); None when within it."""
    limit = thresholds.max_quarantine_share
    problems = []
    for side, delivered in metrics.delivered_rows.items():
        quarantined = metrics.quarantined_by_side.get(side, 0)
        if not quarantined:
            continue
        if quarantined == delivered or Decimal(quarantined) > limit * delivered:
            share = quarantined / delivered
            problems.append(f"{quarantined:,} of {delivered:,} {side} rows quarantined ({share:.1%})")
    if not problems:
        return None
    return (
        f"{metrics.partner} {metrics.business_date}: {'; '.join(problems)}, over the limit of "
        f"{limit:.1%} (checks.max_quarantine_share); the reasons are in quarantine.parquet"
    )


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
    by_side = balance.group_by("side").agg(pl.col("rows_delivered").sum(), pl.col("rows_quarantined").sum())
    delivered = dict(zip(by_side["side"], by_side["rows_delivered"], strict=True))
    quarantined_by_side = dict(zip(by_side["side"], by_side["rows_quarantined"], strict=True))

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
        partner_quarantined=int(quarantined_by_side.get("partner", 0)),
        delivered_rows={side: int(delivered[side]) for side in sorted(delivered)},
        quarantined_by_side={side: int(count) for side, count in sorted(quarantined_by_side.items())},
        value_at_risk_minor=dict(sorted(at_risk.items())),
        largest_breaks=top,
        balanced=bool(balance["balanced"].all()),
    )
