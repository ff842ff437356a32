"""Recompute a partner's later days, in order, after an earlier day is reconciled again."""

from datetime import date

import dagster as dg

from dagster_project.assets.reconcile import RECONCILIATION
from dagster_project.assets.summary import DAILY_SUMMARY
from dagster_project.jobs import PartnerJob, job_name
from dagster_project.resources import ReconResource
from recon.pipeline import later_reconciled_days

BACKFILL_TAG = "dagster/backfill"
BATCH = 100


def reconciled(partner_id: str) -> dg.AssetKey:
    return dg.AssetKey([partner_id, RECONCILIATION])


def reconciled_after(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str, storage_id: int) -> bool:
    """Whether the partition was reconciled again after the event with `storage_id`."""
    since = dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition], after_storage_id=storage_id)
    return bool(instance.fetch_materializations(since, limit=1).records)


def in_backfill(context: dg.SensorEvaluationContext, run: dg.DagsterRun, key: dg.AssetKey, day: date) -> bool:
    """Whether the backfill that made `run` also targets `key` on `day`: it then reconciles that day
    itself, in order, and only the days after the backfill's last one are left to this sensor."""
    backfill_id = run.tags.get(BACKFILL_TAG)
    backfill = context.instance.get_backfill(backfill_id) if backfill_id else None
    if backfill is None or not backfill.is_asset_backfill or context.repository_def is None:
        return False
    data = backfill.get_asset_backfill_data(context.repository_def.asset_graph)
    return str(day) in data.get_target_partitions_subset(key).get_partition_keys()


def new_reconciliations(
    instance: dg.DagsterInstance, keys: list[dg.AssetKey], cursor: int
) -> list[dg.EventLogRecord]:
    """Reconciliations of any partner after `cursor`, in event order, at most a batch per partner;
    cut where a partner's batch ends, so no partner's event before the cut is left out."""
    batches = [
        instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, after_storage_id=cursor), limit=BATCH, ascending=True
        ).records
        for key in keys
    ]
    cut = min((batch[-1].storage_id for batch in batches if len(batch) == BATCH), default=None)
    records = sorted((record for batch in batches for record in batch), key=lambda record: record.storage_id)
    return [record for record in records if cut is None or record.storage_id <= cut]


def build_later_days_sensor(partner_ids: list[str], jobs: list[PartnerJob]) -> dg.SensorDefinition:
    @dg.sensor(
        name="later_days",
        jobs=jobs,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def later_days(context: dg.SensorEvaluationContext, recon: ReconResource) -> dg.SensorResult:
        """A day's open items are carried into the next, so re-reconciling a day (a re-sent file,
        a re-run or a backfill from the UI) outdates every later day already reconciled, as
        `recon run` knows. For each such reconciliation this reconciles the partner's next
        reconciled day, unless it was reconciled since or the same backfill will; that run
        triggers the day after, so later days are recomputed one by one in date order.

        Dagster's own stale marking cannot be relied on: it stops following an asset's dependency
        on itself once the asset has 100 partitions. The cursor is the last event seen; the first
        tick starts from the present instead of replaying history.
        """
        keys = {reconciled(partner_id): partner_id for partner_id in partner_ids}
        if context.cursor is None:
            latest = [
                record.storage_id
                for key in keys
                for record in context.instance.fetch_materializations(key, limit=1).records
            ]
            return dg.SensorResult(cursor=str(max(latest, default=0)))
        records = new_reconciliations(context.instance, list(keys), int(context.cursor))
        layout = recon.layout(recon.config())
        requests = []
        for record in records:
            run = context.instance.get_run_by_id(record.run_id)
            if record.partition_key is None or run is None:
                continue
            key = record.asset_key
            partner_id = keys[key]
            later = later_reconciled_days(layout, partner_id, date.fromisoformat(record.partition_key))
            if not later or in_backfill(context, run, key, later[0]):
                continue
            following = str(later[0])
            if not reconciled_after(context.instance, key, following, record.storage_id):
                requests.append(
                    dg.RunRequest(
                        run_key=f"{following}|{partner_id}|after event {record.storage_id}",
                        job_name=job_name(partner_id),
                        partition_key=following,
                        asset_selection=[key, dg.AssetKey([partner_id, DAILY_SUMMARY])],
                    )
                )
        cursor = records[-1].storage_id if records else int(context.cursor)
        return dg.SensorResult(run_requests=requests, cursor=str(cursor))

    return later_days
