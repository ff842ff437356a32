"""The reconciliation of one partner-day, with its checks declared on the asset."""

import dagster as dg
import polars as pl

from dagster_project.assets.ingest import GROUP
from dagster_project.checks import balance_check, check_specs, match_rate_check, value_at_risk_check
from dagster_project.metadata import unit_metadata
from dagster_project.partitions import previous_day, unit_of
from dagster_project.resources import ReconResource, as_failure
from recon.pipeline import PUBLISHED, reconcile_partner_day

RECONCILIATION = "reconciliation"


def build_reconciliation(
    partitions: dg.MultiPartitionsDefinition, settlements: dg.AssetsDefinition, ledger: dg.AssetsDefinition
) -> dg.AssetsDefinition:
    @dg.asset(
        name=RECONCILIATION,
        partitions_def=partitions,
        group_name=GROUP,
        kinds={"duckdb", "parquet"},
        deps=[settlements, ledger, dg.AssetDep(RECONCILIATION, partition_mapping=previous_day())],
        check_specs=check_specs(RECONCILIATION),
    )
    def reconciliation(context: dg.AssetExecutionContext, recon: ReconResource) -> dg.MaterializeResult:
        """Matches, breaks and balance statement of one partner-day.

        Depends on the same partner's previous business date because that day's open items are
        carried into this one; a backfill over a date range therefore runs the days in order.
        """
        business_date, partner_id = unit_of(context)
        config = recon.config()
        layout = recon.layout(config)
        with as_failure():
            result = reconcile_partner_day(config, partner_id, business_date, layout)
        if result.metrics is None:
            raise dg.Failure(description=result.error or f"{partner_id} {business_date}: no results")
        tables = {table: layout.result(table, partner_id, business_date) for table in PUBLISHED}
        thresholds = config.partner(partner_id).checks
        return dg.MaterializeResult(
            metadata=unit_metadata(result.metrics, tables),
            check_results=[
                balance_check(pl.read_parquet(tables["balance"]), f"{partner_id} {business_date}"),
                match_rate_check(result.metrics, thresholds),
                value_at_risk_check(result.metrics, thresholds),
            ],
        )

    return reconciliation
