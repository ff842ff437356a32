"""Checks on each reconciled partner-day, declared on the reconciliation asset itself so they are
evaluated per partition in the same step (a failing blocking check skips everything downstream)."""

from decimal import Decimal

import dagster as dg
import polars as pl

from recon.config import CheckThresholds
from recon.metrics import UnitMetrics, quarantine_problem
from recon.money import exponent_of, format_minor

BALANCE = "balance"
MATCH_RATE = "match_rate"
VALUE_AT_RISK = "value_at_risk"
QUARANTINE_SHARE = "quarantine_share"


def check_specs(asset: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            BALANCE,
            asset=asset,
            blocking=True,
            description="Rows and money in equal matched + in breaks + quarantined, per side and currency.",
        ),
        dg.AssetCheckSpec(
            MATCH_RATE,
            asset=asset,
            description="Share of partner records matched is at least the partner's "
            "checks.min_match_rate (warning).",
        ),
        dg.AssetCheckSpec(
            VALUE_AT_RISK,
            asset=asset,
            description="Amount in breaks per currency stays within the partner's checks.max_value_at_risk "
            "(major units; warning).",
        ),
        dg.AssetCheckSpec(
            QUARANTINE_SHARE,
            asset=asset,
            blocking=True,
            description="Share of each side's delivered rows quarantined stays within the partner's "
            "checks.max_quarantine_share; a file quarantined whole always fails.",
        ),
    ]


def balance_check(statement: pl.DataFrame, unit: str) -> dg.AssetCheckResult:
    """ERROR severity: results that do not account for every row and every cent must not be used.

    Descriptions name the partner-day (`unit`): the checks tab shows the latest evaluation of the
    partner's dates."""
    off = [
        f"{row['side']} {row['currency']}"
        for row in statement.filter(~pl.col("balanced")).iter_rows(named=True)
    ]
    return dg.AssetCheckResult(
        check_name=BALANCE,
        passed=not off,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{unit}: does not balance: {', '.join(off)}" if off else f"{unit}: balanced",
        metadata={"sides_and_currencies": len(statement)},
    )


def match_rate_check(metrics: UnitMetrics, thresholds: CheckThresholds) -> dg.AssetCheckResult:
    """Compared in exact arithmetic: matched >= min_rate x partner rows."""
    minimum = thresholds.min_match_rate
    return dg.AssetCheckResult(
        check_name=MATCH_RATE,
        passed=Decimal(metrics.matched_pairs) >= minimum * metrics.partner_rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{_unit(metrics)}: {metrics.matched_pairs} of {metrics.partner_rows} partner records "
        f"matched ({metrics.match_rate:.1%}); minimum {minimum:.1%}",
        metadata={
            "match_rate": dg.MetadataValue.float(round(metrics.match_rate, 4)),
            "min_match_rate": dg.MetadataValue.float(float(minimum)),
        },
    )


def value_at_risk_check(metrics: UnitMetrics, thresholds: CheckThresholds) -> dg.AssetCheckResult:
    """The limit is in major units of each currency; amounts at risk are in minor units."""
    limit = thresholds.max_value_at_risk
    over = {
        currency: format_minor(minor, currency)
        for currency, minor in metrics.value_at_risk_minor.items()
        if Decimal(minor) > limit * 10 ** exponent_of(currency)
    }
    listed = ", ".join(f"{currency} {amount}" for currency, amount in over.items())
    return dg.AssetCheckResult(
        check_name=VALUE_AT_RISK,
        passed=not over,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{_unit(metrics)}: "
        + (f"over {limit} per currency: {listed}" if over else f"within {limit} per currency"),
        metadata={"over_limit": dg.MetadataValue.json(over), "max_value_at_risk": str(limit)},
    )


def quarantine_share_check(metrics: UnitMetrics, thresholds: CheckThresholds) -> dg.AssetCheckResult:
    """ERROR severity: a day read mostly into quarantine reconciles too little to be trusted."""
    problem = quarantine_problem(metrics, thresholds)
    limit = thresholds.max_quarantine_share
    return dg.AssetCheckResult(
        check_name=QUARANTINE_SHARE,
        passed=problem is None,
        severity=dg.AssetCheckSeverity.ERROR,
        description=problem or f"{_unit(metrics)}: quarantine within {limit:.1%} of each side's rows",
        metadata={"quarantined_rows": metrics.quarantined_rows, "max_quarantine_share": str(limit)},
    )


def _unit(metrics: UnitMetrics) -> str:
    return f"{metrics.partner} {metrics.business_date}"
