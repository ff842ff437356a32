"""The unit of work: every asset of one partner and one business date, in one run."""

import dagster as dg

# What define_asset_job returns; Dagster exports the class only from its internal module.
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition as PartnerJob,
)

PARTNER_TAG = "recon/partner"


def dagster_name(partner_id: str) -> str:
    """The partner id as a Dagster group or job name allows it (no '-')."""
    return partner_id.replace("-", "_")


def job_name(partner_id: str) -> str:
    return f"{dagster_name(partner_id)}_day"


def build_partner_day_job(partner_id: str) -> PartnerJob:
    """Tagged with the partner, so the instance runs one run per partner at a time."""
    return dg.define_asset_job(
        job_name(partner_id),
        selection=dg.AssetSelection.groups(dagster_name(partner_id)),
        tags={PARTNER_TAG: partner_id},
        description=f"Ingest, reconcile and summarise {partner_id} for one business date.",
    )
