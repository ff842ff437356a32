"""Asset factories: each partner gets its own assets (keys prefixed by the partner id) on its own
business-date partitions, so its checks and its calendar are its own."""

import dagster as dg

from dagster_project.assets.ingest import build_ledger_entries, build_partner_settlements
from dagster_project.assets.reconcile import build_reconciliation
from dagster_project.assets.summary import build_daily_summary
from dagster_project.partitions import partner_partitions
from recon.config import ReconConfig


def build_partner_assets(config: ReconConfig, partner_id: str) -> list[dg.AssetsDefinition]:
    partitions = partner_partitions(config, partner_id)
    settlements = build_partner_settlements(partner_id, partitions)
    ledger = build_ledger_entries(partner_id, partitions)
    reconciliation = build_reconciliation(partner_id, partitions, settlements, ledger)
    return [settlements, ledger, reconciliation, build_daily_summary(partner_id, partitions, reconciliation)]


def build_assets(config: ReconConfig) -> list[dg.AssetsDefinition]:
    return [
        asset for partner_id in sorted(config.partners) for asset in build_partner_assets(config, partner_id)
    ]
