"""Show in Dagster what was reconciled outside it: partner-days that `recon run` (or `make run`)
published in the data directory are reported as materialisations with their check outcomes, and
days closed with `recon skip` as reconciled with the reason."""

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project.assets.ingest import LEDGER, SETTLEMENTS
from dagster_project.assets.reconcile import RECONCILIATION
from dagster_project.assets.summary import DAILY_SUMMARY
from dagster_project.checks import check_specs
from dagster_project.partitions import is_business_date
from dagster_project.reports import (
    FINGERPRINT,
    fingerprint,
    ingest_files,
    ingest_report,
    reconciliation_files,
    reconciliation_report,
    summary_report,
)
from dagster_project.resources import ReconResource
from recon.config import ReconConfig
from recon.metrics import unit_metrics
from recon.skips import skipped_days
from recon.store import Layout

Report = Callable[[], list[dg.AssetMaterialization | dg.AssetCheckEvaluation]]


def known_fingerprint(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str) -> str | None:
    """The published files' fingerprint recorded by the partition's latest materialisation."""
    latest = dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition])
    records = instance.fetch_materializations(latest, limit=1).records
    materialization = records[0].asset_materialization if records else None
    value = materialization.metadata.get(FINGERPRINT) if materialization else None
    return str(value.value) if value is not None else None


def materialized(key: dg.AssetKey, business_date: date, metadata: dict[str, Any]) -> dg.AssetMaterialization:
    return dg.AssetMaterialization(asset_key=key, partition=str(business_date), metadata=metadata)


def published_units(
    config: ReconConfig, layout: Layout, partner_id: str, business_date: date
) -> Iterator[tuple[dg.AssetKey, list[Path], Report]]:
    """Each asset of a published partner-day, its files and how to report it."""

    def ingested(asset: str, side: str) -> tuple[dg.AssetKey, list[Path], Report]:
        key = dg.AssetKey([partner_id, asset])
        files = ingest_files(layout, side, partner_id, business_date)
        return (
            key,
            files,
            lambda: [
                materialized(key, business_date, ingest_report(layout, side, partner_id, business_date))
            ],
        )

    def reconciled() -> list[dg.AssetMaterialization | dg.AssetCheckEvaluation]:
        metrics = unit_metrics(layout, config.partner(partner_id), business_date)
        metadata, checks = reconciliation_report(config, layout, metrics)
        blocking = {spec.name: spec.blocking for spec in check_specs(key)}
        # Not tied to the partition: Dagster stores one run-less evaluation per check and partition
        # and refuses a second, which a day re-run by the CLI needs. The description and the
        # metadata name the day; the materialisation's `checks` table keeps each day's outcomes.
        evaluations = [
            dg.AssetCheckEvaluation(
                asset_key=key,
                check_name=check.check_name or "",
                passed=check.passed,
                metadata={**check.metadata, "business_date": str(business_date)},
                severity=check.severity,
                description=check.description,
                blocking=blocking[check.check_name or ""],
            )
            for check in checks
        ]
        return [materialized(key, business_date, metadata), *evaluations]

    yield ingested(SETTLEMENTS, "partner")
    yield ingested(LEDGER, "ledger")
    key = dg.AssetKey([partner_id, RECONCILIATION])
    yield key, list(reconciliation_files(layout, partner_id, business_date).values()), reconciled
    summary_key = dg.AssetKey([partner_id, DAILY_SUMMARY])
    summary = layout.result("summary", partner_id, business_date)
    yield (
        summary_key,
        [summary],
        lambda: [materialized(summary_key, business_date, summary_report(layout, partner_id, business_date))],
    )


def skipped_unit(
    layout: Layout, partner_id: str, business_date: date
) -> tuple[dg.AssetKey, list[Path], Report]:
    """A day closed with `recon skip`: its reconciliation counts as done, so the next business
    date's dependency on it is met; the metadata says why and who closed it."""
    key = dg.AssetKey([partner_id, RECONCILIATION])
    record = layout.skip_record(partner_id, business_date)

    def report() -> list[dg.AssetMaterialization | dg.AssetCheckEvaluation]:
        entry = json.loads(record.read_text(encoding="utf-8"))
        metadata = {
            "skipped": entry["reason"],
            "skipped_by": entry["actor"],
            "recorded_at": entry["recorded_at"],
            FINGERPRINT: fingerprint([record]),
        }
        return [materialized(key, business_date, metadata)]

    return key, [record], report


def partner_units(
    config: ReconConfig, layout: Layout, partner_id: str, dates: dg.TimeWindowPartitionsDefinition
) -> Iterator[tuple[date, tuple[dg.AssetKey, list[Path], Report]]]:
    """Every asset of the partner's published and skipped days that have a partition."""
    for business_date, _path in layout.partner_results(partner_id, "summary"):
        if is_business_date(dates, business_date):
            for unit in published_units(config, layout, partner_id, business_date):
                yield business_date, unit
    for business_date in skipped_days(layout, partner_id):
        if is_business_date(dates, business_date):
            yield business_date, skipped_unit(layout, partner_id, business_date)


def build_published_sensor(
    partitions: Mapping[str, dg.TimeWindowPartitionsDefinition],
) -> dg.SensorDefinition:
    @dg.sensor(
        name="published_results", minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING
    )
    def published_results(context: dg.SensorEvaluationContext, recon: ReconResource) -> dg.SensorResult:
        """Every partner-day with a published summary whose files differ from what the instance
        last recorded for it (the fingerprint in the latest materialisation's metadata, which the
        assets record too) is reported: a day run from Dagster is not reported twice, a day re-run
        by `recon run` is reported again. The cursor keeps the fingerprints already compared, so a
        tick only asks the instance about days whose files changed."""
        config = recon.config()
        layout = recon.layout(config)
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        current: dict[str, str] = {}
        events: list[dg.AssetMaterialization | dg.AssetCheckEvaluation] = []
        for partner_id, dates in sorted(partitions.items()):
            for business_date, (key, files, report) in partner_units(config, layout, partner_id, dates):
                unit = f"{key.to_user_string()}|{business_date}"
                current[unit] = fingerprint(files)
                if seen.get(unit) == current[unit]:
                    continue
                if known_fingerprint(context.instance, key, str(business_date)) != current[unit]:
                    events += report()
        return dg.SensorResult(asset_events=events, cursor=json.dumps(current, sort_keys=True))

    return published_results
