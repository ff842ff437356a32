"""The daily summary of one partner-day, per currency, read back from the published results."""

import dagster as dg

from dagster_project.assets.ingest import GROUP
from dagster_project.metadata import table_preview, table_schema
from dagster_project.partitions import unit_of
from dagster_project.resources import ReconResource, as_failure
from recon.daily_summary import summarise_partner_day

DAILY_SUMMARY = "daily_summary"


def build_daily_summary(
    partitions: dg.MultiPartitionsDefinition, reconciliation: dg.AssetsDefinition
) -> dg.AssetsDefinition:
    @dg.asset(
        name=DAILY_SUMMARY,
        partitions_def=partitions,
        group_name=GROUP,
        kinds={"duckdb", "parquet"},
        deps=[reconciliation],
    )
    def daily_summary(context: dg.AssetExecutionContext, recon: ReconResource) -> dg.MaterializeResult:
        """What ops read first each morning, per currency: rows in, matched by rule, pending, open
        breaks by type and age, value at risk, new and resolved breaks, match rate."""
        business_date, partner_id = unit_of(context)
        config = recon.config()
        layout = recon.layout(config)
        with as_failure():
            summary = summarise_partner_day(config, partner_id, business_date, layout)
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": summary.height,
                "dagster/column_schema": table_schema(summary.schema),
                "summary": table_preview(summary),
                "path": dg.MetadataValue.path(str(layout.result("summary", partner_id, business_date))),
            }
        )

    return daily_summary
