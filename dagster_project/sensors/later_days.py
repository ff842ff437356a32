"""Recompute a partner's later days, in order, after an earlier day is reconciled again."""

import dagster as dg

from dagster_project.assets.reconcile import RECONCILIATION
from dagster_project.assets.summary import DAILY_SUMMARY
from dagster_project.jobs import PARTNER_DAY
from dagster_project.partitions import partition_key, unit_of_key
from dagster_project.resources import ReconResource
from recon.pipeline import later_reconciled_days

BACKFILL_TAG = "dagster/backfill"
BATCH = 100
RECONCILED = dg.AssetKey(RECONCILIATION)


def reconciled_after(instance: dg.DagsterInstance, partition: str, storage_id: int) -> bool:
    """Whether the partition was reconciled again after the event with `storage_id`."""
    since = dg.AssetRecordsFilter(
        asset_key=RECONCILED, asset_partitions=[partition], after_storage_id=storage_id
    )
    return bool(instance.fetch_materializations(since, limit=1).records)


def build_later_days_sensor(partitions: dg.MultiPartitionsDefinition) -> dg.SensorDefinition:
    @dg.sensor(
        name="later_days",
        job_name=PARTNER_DAY,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def later_days(context: dg.SensorEvaluationContext, recon: ReconResource) -> dg.SensorResult:
        """A day's open items are carried into the next, so re-reconciling a day (a re-sent file,
        a re-run from the UI) outdates every later day already reconciled, as `recon run` knows.
        For each such reconciliation this reconciles the partner's next reconciled day, unless it
        was reconciled since; that run triggers the day after, so later days are recomputed one by
        one in date order.

        Dagster's own stale marking cannot be relied on: it stops following an asset's dependency
        on itself once the asset has 100 partitions. Backfills are left alone, as they already run
        the chosen dates in order. The cursor is the last event seen; the first tick starts from
        the present instead of replaying history.
        """
        if context.cursor is None:
            latest = context.instance.fetch_materializations(RECONCILED, limit=1).records
            return dg.SensorResult(cursor=str(latest[0].storage_id if latest else 0))
        after = dg.AssetRecordsFilter(asset_key=RECONCILED, after_storage_id=int(context.cursor))
        records = context.instance.fetch_materializations(after, limit=BATCH, ascending=True).records
        layout = recon.layout(recon.config())
        requests = []
        for record in records:
            run = context.instance.get_run_by_id(record.run_id)
            if record.partition_key is None or run is None or BACKFILL_TAG in run.tags:
                continue
            business_date, partner_id = unit_of_key(partitions, record.partition_key)
            later = later_reconciled_days(layout, partner_id, business_date)
            if not later:
                continue
            following = partition_key(later[0], partner_id)
            if not reconciled_after(context.instance, str(following), record.storage_id):
                requests.append(
                    dg.RunRequest(
                        run_key=f"{following}|after event {record.storage_id}",
                        partition_key=str(following),
                        asset_selection=[RECONCILED, dg.AssetKey(DAILY_SUMMARY)],
                    )
                )
        cursor = records[-1].storage_id if records else int(context.cursor)
        return dg.SensorResult(run_requests=requests, cursor=str(cursor))

    return later_days
