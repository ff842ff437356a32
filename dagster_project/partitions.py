"""Each partner's business dates as its own time partitions, built from the configuration when the
code location loads: a partner's calendar decides which dates exist and which one comes before."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import dagster as dg

from recon.config import ReconConfig

DATE_FORMAT = "%Y-%m-%d"
CRON = {"every_day": "0 0 * * *", "weekdays": "0 0 * * 1-5"}


def partner_partitions(config: ReconConfig, partner_id: str) -> dg.TimeWindowPartitionsDefinition:
    """One partition per business date of the partner, from its first day; holidays excluded.

    Dates close in the schedule's time zone, so a date's partition exists once the partner's next
    business date has begun (yesterday's, when yesterday was a business date)."""
    calendar = config.partner(partner_id).calendar
    timezone = config.orchestration.schedule_timezone
    midnight = time(tzinfo=ZoneInfo(timezone))
    return dg.TimeWindowPartitionsDefinition(
        start=datetime.combine(config.first_day(partner_id), midnight),
        fmt=DATE_FORMAT,
        cron_schedule=CRON[calendar.days],
        timezone=timezone,
        exclusions=[datetime.combine(holiday, midnight) for holiday in calendar.holidays] or None,
    )


def previous_day() -> dg.TimeWindowPartitionMapping:
    """Each partner-day depends on the partner's previous business date (its open items)."""
    return dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)


def unit_of(context: dg.AssetExecutionContext) -> date:
    """The business date of the partition being materialised."""
    return date.fromisoformat(context.partition_key)


def is_business_date(partitions: dg.TimeWindowPartitionsDefinition, business_date: date) -> bool:
    """True once the date's partition exists: a business date, on or after the first, and closed."""
    return partitions.has_partition_key(business_date.isoformat())
