"""The reconciliation of one partner-day, with its checks declared on the asset."""

import dagster as dg

from dagster_project.checks import check_specs
from dagster_project.jobs import dagster_name, partner_pool
from dagster_project.partitions import previous_day, unit_of
from dagster_project.reports import reconciliation_report
from dagster_project.resources import ReconResource, as_failure
from recon.pipeline import reconcile_partner_day

RECONCILIATION = "reconciliation"


def build_reconciliation(
    partner_id: str,
    partitions: dg.TimeWindowPartitionsDefinition,
    settlements: dg.AssetsDefinition,
    ledger: dg.AssetsDefinition,
) -> dg.AssetsDefinition:
    key = dg.AssetKey([partner_id, RECONCILIATION])

    @dg.asset(
        key=key,
        partitions_def=partitions,
        group_name=dagster_name(partner_id),
        pool=partner_pool(partner_id),
        kinds={"duckdb", "parquet"},
        deps=[settlements, ledger, dg.AssetDep(key, partition_mapping=previous_day())],
        check_specs=check_specs(key),
    )
    def reconciliation(context: dg.AssetExecutionContext, recon: ReconResource) -> dg.MaterializeResult:
        """Matches, breaks and balance statement of one partner-day.

        Depends on the partner's previous business date because that day's open items are carried
        into this one; a backfill over a date range therefore runs the days in order.
        """
        business_date = unit_of(context)
        config = recon.config()
        layout = recon.layout(config)
        with as_failure():
            result = reconcile_partner_day(config, partner_id, business_date, layout)
        if result.metrics is None:
            raise dg.Failure(description=result.error or f"{partner_id} {business_date}: no results")
        metadata, checks = reconciliation_report(config, layout, result.metrics)
        return dg.MaterializeResult(metadata=metadata, check_results=checks)

    return reconciliation
