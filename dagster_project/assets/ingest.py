"""Ingest assets: one partner's settlement file and its share of the ledger export, each to
canonical Parquet."""

import dagster as dg

from dagster_project.jobs import dagster_name, partner_pool
from dagster_project.metadata import ingest_metadata
from dagster_project.partitions import unit_of
from dagster_project.reports import FINGERPRINT, fingerprint, ingest_files
from dagster_project.resources import ReconResource, as_failure
from recon.pipeline import ingest_ledger_day, ingest_partner_day

SETTLEMENTS = "partner_settlements"
LEDGER = "ledger_entries"


def build_partner_settlements(
    partner_id: str, partitions: dg.TimeWindowPartitionsDefinition
) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey([partner_id, SETTLEMENTS]),
        partitions_def=partitions,
        group_name=dagster_name(partner_id),
        pool=partner_pool(partner_id),
        kinds={"polars", "parquet"},
    )
    def partner_settlements(context: dg.AssetExecutionContext, recon: ReconResource) -> dg.MaterializeResult:
        """The partner's settlement file for the business date as canonical records; rows that
        cannot be normalised go to quarantine with the reason."""
        business_date, config = unit_of(context), recon.config()
        layout = recon.layout(config)
        with as_failure():
            result = ingest_partner_day(config, partner_id, business_date, layout)
        published = fingerprint(ingest_files(layout, "partner", partner_id, business_date))
        return dg.MaterializeResult(metadata={**ingest_metadata(result, partner_id), FINGERPRINT: published})

    return partner_settlements


def build_ledger_entries(
    partner_id: str, partitions: dg.TimeWindowPartitionsDefinition
) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey([partner_id, LEDGER]),
        partitions_def=partitions,
        group_name=dagster_name(partner_id),
        pool=partner_pool(partner_id),
        kinds={"polars", "parquet"},
    )
    def ledger_entries(context: dg.AssetExecutionContext, recon: ReconResource) -> dg.MaterializeResult:
        """The partner's entries of the ledger export for the business date as canonical records.

        One per partner so that one run holds a whole partner-day; only this partner's slice of
        the export is written and the metadata reports this partner's share.
        """
        business_date, config = unit_of(context), recon.config()
        layout = recon.layout(config)
        with as_failure():
            result = ingest_ledger_day(config, business_date, layout, [partner_id])
        published = fingerprint(ingest_files(layout, "ledger", partner_id, business_date))
        return dg.MaterializeResult(metadata={**ingest_metadata(result, partner_id), FINGERPRINT: published})

    return ledger_entries
