"""Asset factories: partitions come from the configuration, so assets are built when it is loaded."""

import dagster as dg

from dagster_project.assets.ingest import build_ledger_entries, build_partner_settlements
from dagster_project.assets.reconcile import build_reconciliation
from dagster_project.assets.summary import build_daily_summary


def build_assets(partitions: dg.MultiPartitionsDefinition) -> list[dg.AssetsDefinition]:
    settlements = build_partner_settlements(partitions)
    ledger = build_ledger_entries(partitions)
    reconciliation = build_reconciliation(partitions, settlements, ledger)
    return [settlements, ledger, reconciliation, build_daily_summary(partitions, reconciliation)]
