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


def partner_pool(partner_id: str) -> str:
    """The concurrency pool of every asset of the partner. The instance limits each pool to one
    run in progress (dagster.yaml: pools at run granularity, default limit 1), so a partner's
    runs, backfill runs included, never overlap, while other partners' runs go on beside them."""
    return f"recon/{partner_id}"


def job_name(partner_id: str) -> str:
    return f"{dagster_name(partner_id)}_day"


def build_partner_day_job(partner_id: str) -> PartnerJob:
    """Tagged with the partner: the instance runs one run per tag value at a time (as the pool of
    its assets does, see `partner_pool`)."""
    return dg.define_asset_job(
        job_name(partner_id),
        selection=dg.AssetSelection.groups(dagster_name(partner_id)),
        tags={PARTNER_TAG: partner_id},
        description=f"Ingest, reconcile and summarise {partner_id} for one business date.",
    )
