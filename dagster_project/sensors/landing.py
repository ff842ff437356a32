"""Start a partner-day run as soon as its settlement file (and the day's ledger export) has landed."""

import json
from collections.abc import Mapping
from datetime import date

import dagster as dg

from dagster_project.jobs import PartnerJob
from dagster_project.partitions import is_business_date
from dagster_project.resources import ReconResource
from dagster_project.sensors.run_keys import changed_units, partner_day_requests, unit
from recon.config import LocalSource
from recon.sources import local_dates


def landed_files(source: LocalSource) -> dict[date, str]:
    """Fingerprint (name, size, modification time) of each dated file in a local landing folder.

    Cheap enough to take every tick, unlike a content hash of large files; a file rewritten in
    place gets a new fingerprint and triggers again, which is what a re-sent file should do.
    """
    files = {}
    for business_date in local_dates(source):
        path = source.path / source.file_name(business_date)
        stat = path.stat()
        files[business_date] = f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"
    return files


def build_landing_sensor(
    partitions: Mapping[str, dg.TimeWindowPartitionsDefinition], jobs: list[PartnerJob]
) -> dg.SensorDefinition:
    @dg.sensor(name="landing_files", jobs=jobs, minimum_interval_seconds=60)
    def landing_files(context: dg.SensorEvaluationContext, recon: ReconResource) -> dg.SensorResult:
        """Requests a partner-day once both its settlement file and the day's ledger export are there.

        The run key (and the cursor) is the pair of file fingerprints, so the same files never
        trigger twice, while a re-sent partner file or ledger export triggers the affected days again.
        The cursor holds only files still in the landing folders, so it does not grow without bound.
        """
        config = recon.config()
        if not isinstance(config.ledger.source, LocalSource):
            return dg.SensorResult(skip_reason="the ledger export is not in a local folder")
        ledger = landed_files(config.ledger.source)
        current: dict[str, str] = {}
        for partner_id, dates in sorted(partitions.items()):
            source = config.partners[partner_id].source if partner_id in config.partners else None
            if not isinstance(source, LocalSource):
                continue
            for business_date, fingerprint in landed_files(source).items():
                if business_date in ledger and is_business_date(dates, business_date):
                    current[unit(business_date, partner_id)] = f"{fingerprint}|{ledger[business_date]}"
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        return dg.SensorResult(
            run_requests=partner_day_requests(current, changed_units(current, seen)),
            cursor=json.dumps(current, sort_keys=True),
        )

    return landing_files
