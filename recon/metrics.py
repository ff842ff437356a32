"""Figures about one reconciled partner-day, read back from its published files.

The CLI summary, the Dagster metadata and the asset checks all use these, so every place
shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from recon.sql import quote
from recon.store import Layout

LARGEST_BREAK_COLUMNS = (
    "break_id",
    "break_type",
    "side",
    "record_id",
    "reference",
    "currency",
    "amount_minor",
)


@dataclass(frozen=True)
class UnitMetrics:
    partner: str
    business_date: date
    partner_rows: int
    ledger_rows: int
    matched_pairs: int
    matches_by_rule: dict[str, int]
    breaks_by_type: dict[str, int]
    quarantined_rows: int
    value_at_risk_minor: dict[str, int]
    largest_breaks: pl.DataFrame
    balanced: bool

    @property
    def match_rate(self) -> float:
        """Share of partner records matched (1.0 for a day with no partner records)."""
        return self.matched_pairs / self.partner_rows if self.partner_rows else 1.0


def unit_metrics(layout: Layout, partner_id: str, business_date: date, largest: int = 10) -> UnitMetrics:
    """Read the published matches, breaks and balance of one partner-day."""

    def path(table: str) -> str:
        return quote(str(layout.result(table, partner_id, business_date)))

    with duckdb.connect() as con:
        balance = con.sql(f"SELECT * FROM read_parquet({path('balance')})").pl()
        by_rule = con.execute(
            f"SELECT rule, count(*) FROM read_parquet({path('matches')}) GROUP BY 1 ORDER BY 1"
        )
        matches_by_rule = dict(by_rule.fetchall())
        breaks = f"""SELECT *, abs(coalesce(partner_amount_minor, ledger_amount_minor)) AS amount_minor
                     FROM read_parquet({path("breaks")})"""
        by_type = dict(
            con.execute(f"SELECT break_type, count(*) FROM ({breaks}) GROUP BY 1 ORDER BY 1").fetchall()
        )
        at_risk = con.execute(
            f"SELECT currency, sum(amount_minor)::BIGINT FROM ({breaks}) GROUP BY 1 ORDER BY 1"
        ).fetchall()
        top = con.sql(
            f"SELECT {', '.join(LARGEST_BREAK_COLUMNS)} FROM ({breaks}) "
            f"ORDER BY amount_minor DESC, break_id LIMIT {int(largest)}"
        ).pl()

    def total(side: str, column: str) -> int:
        return int(balance.filter(pl.col("side") == side)[column].sum())

    return UnitMetrics(
        partner=partner_id,
        business_date=business_date,
        partner_rows=total("partner", "rows_in") - total("partner", "rows_quarantined"),
        ledger_rows=total("ledger", "rows_in") - total("ledger", "rows_quarantined"),
        matched_pairs=sum(matches_by_rule.values()),
        matches_by_rule=matches_by_rule,
        breaks_by_type=by_type,
        quarantined_rows=total("partner", "rows_quarantined") + total("ledger", "rows_quarantined"),
        value_at_risk_minor=dict(at_risk),
        largest_breaks=top,
        balanced=bool(balance["balanced"].all()),
    )
