"""The daily summary of one partner-day, per currency, read back from the published results."""

import dagster as dg

from dagster_project.jobs import dagster_name, partner_pool
from dagster_project.partitions import unit_of
from dagster_project.reports import summary_report
from dagster_project.resources import ReconResource, as_failure
from recon.daily_summary import summarise_partner_day

DAILY_SUMMARY = "daily_summary"


def build_daily_summary(
    partner_id: str, partitions: dg.TimeWindowPartitionsDefinition, reconciliation: dg.AssetsDefinition
) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey([partner_id, DAILY_SUMMARY]),
        partitions_def=partitions,
        group_name=dagster_name(partner_id),
        pool=partner_pool(partner_id),
        kinds={"duckdb", "parquet"},
        deps=[reconciliation],
    )
    def daily_summary(context: dg.AssetExecutionContext, recon: ReconResource) -> dg.MaterializeResult:
        """What ops read first each morning, per currency: rows in, matched by rule, pending, open
        breaks by type and age, value at risk, new and resolved breaks, match rate."""
        business_date = unit_of(context)
        config = recon.config()
        layout = recon.layout(config)
        with as_failure():
            summarise_partner_day(config, partner_id, business_date, layout)
        return dg.MaterializeResult(metadata=summary_report(layout, partner_id, business_date))

    return daily_summary
