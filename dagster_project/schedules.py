"""Every morning, reconcile each partner's latest business date."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from dagster_project.jobs import PartnerJob
from dagster_project.partitions import is_business_date
from recon.config import ReconConfig

SCHEDULE = "daily_reconciliation"


def schedule_name(job: PartnerJob) -> str:
    return f"{SCHEDULE}_{job.name.removesuffix('_day')}"


def build_daily_schedule(
    config: ReconConfig, partner_id: str, partitions: dg.TimeWindowPartitionsDefinition, job: PartnerJob
) -> dg.ScheduleDefinition:
    """One schedule per partner (its own job and calendar), so one partner's bad file does not
    hold up the others."""
    timezone = config.orchestration.schedule_timezone
    calendar = config.partner(partner_id).calendar

    @dg.schedule(
        name=schedule_name(job),
        cron_schedule=config.orchestration.schedule_cron,
        execution_timezone=timezone,
        job=job,
    )
    def daily_reconciliation(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        """The partner's latest business date up to yesterday. A date's partition opens when the
        partner's next business date begins, so a weekday partner's Friday runs on Monday; the
        run key keeps each date to one run."""
        at = context.scheduled_execution_time
        yesterday = at.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)
        latest = yesterday if calendar.is_business_day(yesterday) else calendar.previous(yesterday)
        with dg.partition_loading_context(effective_dt=at):
            due = is_business_date(partitions, latest)
        if not due:
            return dg.SkipReason(f"{partner_id}: {latest} is not a business date partition yet")
        return dg.RunRequest(run_key=f"{latest}|{partner_id}", partition_key=str(latest))

    return daily_reconciliation
