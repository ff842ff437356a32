"""What a reconciled partner-day reports to Dagster, built from its published files, so a run of
the assets and a day reconciled by `recon run` show the same metadata and check outcomes."""

from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from dagster_project.checks import (
    balance_check,
    match_rate_check,
    quarantine_share_check,
    value_at_risk_check,
)
from dagster_project.metadata import (
    checks_table,
    file_rows,
    file_schema,
    table_preview,
    table_schema,
    unit_metadata,
)
from recon.config import ReconConfig
from recon.metrics import UnitMetrics
from recon.pipeline import PUBLISHED
from recon.store import Layout

FINGERPRINT = "published_fingerprint"


def fingerprint(paths: list[Path]) -> str:
    """Name, size and modification time of each file: cheap to take for every day on every tick,
    and changed by every publication (files are replaced, never edited in place)."""
    parts = []
    for path in paths:
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ",".join(parts)


def reconciliation_files(layout: Layout, partner_id: str, business_date: date) -> dict[str, Path]:
    return {table: layout.result(table, partner_id, business_date) for table in PUBLISHED}


def reconciliation_report(
    config: ReconConfig, layout: Layout, metrics: UnitMetrics
) -> tuple[dict[str, Any], list[dg.AssetCheckResult]]:
    """Metadata and check results of one reconciled partner-day; the metadata lists the checks too,
    so each partition keeps its own outcomes."""
    partner_id, business_date = metrics.partner, metrics.business_date
    tables = reconciliation_files(layout, partner_id, business_date)
    thresholds = config.partner(partner_id).checks
    checks = [
        balance_check(pl.read_parquet(tables["balance"]), f"{partner_id} {business_date}"),
        match_rate_check(metrics, thresholds),
        value_at_risk_check(metrics, thresholds),
        quarantine_share_check(metrics, thresholds),
    ]
    metadata = {
        **unit_metadata(metrics, tables),
        "checks": dg.MetadataValue.md(checks_table(checks)),
        FINGERPRINT: fingerprint(list(tables.values())),
    }
    return metadata, checks


def ingest_files(layout: Layout, side: str, partner_id: str, business_date: date) -> list[Path]:
    records = layout.canonical(side, partner_id, business_date)
    return [records, layout.canonical_quarantine(side, partner_id, business_date)]


def ingest_report(layout: Layout, side: str, partner_id: str, business_date: date) -> dict[str, Any]:
    """What the published canonical files of one side say, for a day ingested outside Dagster."""
    records, quarantine = ingest_files(layout, side, partner_id, business_date)
    return {
        "dagster/row_count": file_rows(records),
        "dagster/column_schema": file_schema(records),
        "quarantined_rows": file_rows(quarantine),
        "path": dg.MetadataValue.path(str(records)),
        FINGERPRINT: fingerprint([records, quarantine]),
    }


def summary_report(layout: Layout, partner_id: str, business_date: date) -> dict[str, Any]:
    path = layout.result("summary", partner_id, business_date)
    summary = pl.read_parquet(path)
    return {
        "dagster/row_count": summary.height,
        "dagster/column_schema": table_schema(summary.schema),
        "summary": table_preview(summary),
        "path": dg.MetadataValue.path(str(path)),
        FINGERPRINT: fingerprint([path]),
    }
