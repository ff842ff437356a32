"""Every morning, reconcile yesterday's business date for every partner."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from dagster_project.jobs import PARTNER_DAY
from dagster_project.partitions import is_business_date, partition_key, partner_ids
from recon.config import Orchestration


def build_daily_schedule(
    partitions: dg.MultiPartitionsDefinition, orchestration: Orchestration
) -> dg.ScheduleDefinition:
    timezone = orchestration.schedule_timezone

    @dg.schedule(
        name="daily_reconciliation",
        cron_schedule=orchestration.schedule_cron,
        execution_timezone=timezone,
        job_name=PARTNER_DAY,
    )
    def daily_reconciliation(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
        """One run per partner, so one partner's bad file does not hold up the others."""
        today = context.scheduled_execution_time.astimezone(ZoneInfo(timezone)).date()
        business_date = today - timedelta(days=1)
        if not is_business_date(partitions, business_date):
            return dg.SkipReason(f"{business_date} is not a business date partition")
        return [
            dg.RunRequest(
                run_key=f"{business_date}|{partner_id}",
                partition_key=partition_key(business_date, partner_id),
            )
            for partner_id in partner_ids(partitions)
        ]

    return daily_reconciliation
