"""Business date x partner partitions, built from the configuration when the code location loads."""

import warnings
from datetime import date

import dagster as dg

from recon.config import ReconConfig

DATE = "date"
PARTNER = "partner"


def recon_partitions(config: ReconConfig) -> dg.MultiPartitionsDefinition:
    """One partition per business date (from the first configured date) and configured partner.

    Dates close in the schedule's time zone, so yesterday's partition exists once the run is due.
    """
    orchestration = config.orchestration
    dates = dg.DailyPartitionsDefinition(
        start_date=orchestration.first_business_date.isoformat(), timezone=orchestration.schedule_timezone
    )
    return dg.MultiPartitionsDefinition(
        {DATE: dates, PARTNER: dg.StaticPartitionsDefinition(sorted(config.partners))}
    )


def previous_day() -> dg.MultiPartitionMapping:
    """Each partner-day depends on the same partner's previous business date (its open items).

    MultiPartitionMapping is flagged beta in Dagster 1.13 but is the documented way to offset one
    dimension of a multi-partitioned asset; its warning is silenced here, where it is used.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.MultiPartitionMapping(
            {
                DATE: dg.DimensionPartitionMapping(
                    DATE, dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
                ),
                PARTNER: dg.DimensionPartitionMapping(PARTNER, dg.IdentityPartitionMapping()),
            }
        )


def partition_key(business_date: date, partner_id: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({DATE: business_date.isoformat(), PARTNER: partner_id})


def unit_of(context: dg.AssetExecutionContext) -> tuple[date, str]:
    """The business date and partner id of the partition being materialised."""
    key = context.partition_key
    if not isinstance(key, dg.MultiPartitionKey):
        raise dg.Failure(description=f"expected a date|partner partition key, got '{key}'")
    return _unit(key)


def unit_of_key(partitions: dg.MultiPartitionsDefinition, key: str) -> tuple[date, str]:
    """The business date and partner id of a partition key read back from an event."""
    return _unit(partitions.get_partition_key_from_str(key))


def _unit(key: dg.MultiPartitionKey) -> tuple[date, str]:
    dims = key.keys_by_dimension
    return date.fromisoformat(dims[DATE]), dims[PARTNER]


def partner_ids(partitions: dg.MultiPartitionsDefinition) -> list[str]:
    return partitions.get_partitions_def_for_dimension(PARTNER).get_partition_keys()


def is_business_date(partitions: dg.MultiPartitionsDefinition, business_date: date) -> bool:
    """True once the date's partition exists: on or after the first date and already closed."""
    return partitions.get_partitions_def_for_dimension(DATE).has_partition_key(business_date.isoformat())
