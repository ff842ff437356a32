"""The unit of work: every asset of one partner and one business date, in one run."""

import dagster as dg

PARTNER_DAY = "partner_day"

partner_day_job = dg.define_asset_job(
    PARTNER_DAY,
    selection=dg.AssetSelection.all(),
    description="Ingest, reconcile and summarise one partner for one business date.",
)
