"""What the landing sensors share: a partner-day is requested when the fingerprint of its files
differs from the one it was last requested with, and the fingerprint is in the run key, so the
same files never start two runs while a re-sent or corrected file starts one more."""

from collections.abc import Mapping
from datetime import date

import dagster as dg

from dagster_project.jobs import job_name


def unit(business_date: date, partner_id: str) -> str:
    return f"{business_date}|{partner_id}"


def changed_units(current: Mapping[str, str], seen: Mapping[str, str]) -> list[str]:
    """The units whose fingerprint is new or differs from the one seen, in order."""
    return sorted(name for name, files in current.items() if seen.get(name) != files)


def partner_day_requests(current: Mapping[str, str], units: list[str]) -> list[dg.RunRequest]:
    """One run of the partner's job per unit, keyed by the unit and its fingerprint."""
    requests = []
    for name in units:
        business_date, partner_id = name.split("|")
        requests.append(
            dg.RunRequest(
                run_key=f"{name}|{current[name]}", job_name=job_name(partner_id), partition_key=business_date
            )
        )
    return requests
