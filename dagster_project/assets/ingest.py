"""Ingest assets: one partner's settlement file and the ledger export, each to canonical Parquet."""

import dagster as dg

from dagster_project.metadata import ingest_metadata
from dagster_project.partitions import unit_of
from dagster_project.resources import ReconResource, as_failure
from recon.pipeline import ingest_ledger_day, ingest_partner_day

GROUP = "recon"


def build_partner_settlements(partitions: dg.MultiPartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(partitions_def=partitions, group_name=GROUP, kinds={"polars", "parquet"})
    def partner_settlements(context: dg.AssetExecutionContext, recon: ReconResource) -> dg.MaterializeResult:
        """The partner's settlement file for the business date as canonical records; rows that
        cannot be normalised go to quarantine with the reason."""
        business_date, partner_id = unit_of(context)
        config = recon.config()
        with as_failure():
            result = ingest_partner_day(config, partner_id, business_date, recon.layout(config))
        return dg.MaterializeResult(metadata=ingest_metadata(result, partner_id))

    return partner_settlements


def build_ledger_entries(partitions: dg.MultiPartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(partitions_def=partitions, group_name=GROUP, kinds={"polars", "parquet"})
    def ledger_entries(context: dg.AssetExecutionContext, recon: ReconResource) -> dg.MaterializeResult:
        """The partner's entries of the day's ledger export as canonical records.

        Partitioned like the partner's assets so that one run holds a whole partner-day: Dagster
        cannot run a date-only asset and a date x partner asset in the same run. Only this partner's
        slice of the export is written; the metadata reports this partner's share.
        """
        business_date, partner_id = unit_of(context)
        config = recon.config()
        with as_failure():
            result = ingest_ledger_day(config, business_date, recon.layout(config), [partner_id])
        return dg.MaterializeResult(metadata=ingest_metadata(result, partner_id))

    return ledger_entries
