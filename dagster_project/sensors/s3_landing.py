"""Start a partner-day run as soon as its settlement object has landed under an S3 prefix (and is
complete, and the day's ledger export is there)."""

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import dagster as dg

from dagster_project.jobs import PartnerJob
from dagster_project.partitions import is_business_date
from dagster_project.resources import ReconResource
from dagster_project.sensors.landing import landed_files
from dagster_project.sensors.run_keys import partner_day_requests, unit
from recon.config import LocalSource, ReconConfig, S3Source
from recon.errors import ReconError
from recon.sources.s3 import client_for, keys_after, marker_key, object_etag, s3_errors

RECENT_KEYS = 200  # per partner: keys listed again each tick, so a corrected object is noticed


class LedgerFingerprints:
    """Fingerprint of the day's ledger export, or None while it is missing; asked only for the
    days that have a new or corrected partner object, and looked up once a tick per day however
    many partners ask."""

    def __init__(self, config: ReconConfig) -> None:
        self.source = config.ledger.source
        self.local = landed_files(self.source) if isinstance(self.source, LocalSource) else {}
        self.client = client_for(self.source) if isinstance(self.source, S3Source) else None
        self.seen: dict[date, str | None] = {}

    def fingerprint(self, business_date: date) -> str | None:
        if not isinstance(self.source, S3Source):
            return self.local.get(business_date)
        if business_date not in self.seen:
            key = self.source.key(business_date)
            with s3_errors(self.client, self.source.bucket, f"s3://{self.source.bucket}/{key}"):
                etag = object_etag(self.client, self.source.bucket, key)
            self.seen[business_date] = None if etag is None else f"{key}:{etag}"
        return self.seen[business_date]


def listed_after(client: Any, source: S3Source, after: str) -> dict[str, str]:
    """ETag of each of the partner's dated objects whose key sorts after `after`, in key order."""
    with s3_errors(client, source.bucket, f"s3://{source.bucket}/{source.folder}"):
        return {key: etag for key, etag in keys_after(client, source, after) if source.day_of_key(key)}


def is_complete(client: Any, source: S3Source, key: str) -> bool:
    """Whether the object's marker is there, when `ready.marker` asks for one."""
    marker = marker_key(source, key)
    if marker is None:
        return True
    with s3_errors(client, source.bucket, f"s3://{source.bucket}/{marker}"):
        return object_etag(client, source.bucket, marker) is not None


def watch_partner(
    source: S3Source,
    partner_id: str,
    dates: dg.TimeWindowPartitionsDefinition,
    ledger: LedgerFingerprints,
    state: Mapping[str, Any],
    recent_keys: int,
) -> tuple[dict[str, str], dict[str, Any]]:
    """The partner-days to run (unit -> object key and ETag) and the partner's new cursor state.

    The state is `after` (the listing starts after this key) and `recent`: the last `recent_keys`
    dated keys, each with the ETag it was requested with ('' while it waits for its marker or the
    ledger export). Every tick lists `recent` again, so an object re-uploaded under one of those
    keys shows a new ETag; keys that leave the window move `after` forward, so a tick never lists
    the whole prefix again and the cursor stays bounded. Only objects with a new ETag are checked
    for their marker and ledger export.
    """
    after, recent = state.get("after", ""), state.get("recent", {})
    client = client_for(source)
    listed = listed_after(client, source, after)
    current: dict[str, str] = {}
    requested: set[str] = set()
    for key, etag in listed.items():
        business_date = source.day_of_key(key)
        if business_date is None or recent.get(key) == etag or not is_business_date(dates, business_date):
            continue
        if is_complete(client, source, key) and ledger.fingerprint(business_date) is not None:
            current[unit(business_date, partner_id)] = f"{key}:{etag}"
            requested.add(key)
    keys = sorted(listed)
    window, left = keys[-recent_keys:], keys[: max(len(keys) - recent_keys, 0)]
    remembered = {
        key: etag if key in requested or recent.get(key) == etag else "" for key, etag in listed.items()
    }
    return current, {"after": left[-1] if left else after, "recent": {key: remembered[key] for key in window}}


def build_s3_landing_sensor(
    partitions: Mapping[str, dg.TimeWindowPartitionsDefinition],
    jobs: list[PartnerJob],
    recent_keys: int = RECENT_KEYS,
) -> dg.SensorDefinition:
    @dg.sensor(name="s3_landing", jobs=jobs, minimum_interval_seconds=60)
    def s3_landing(context: dg.SensorEvaluationContext, recon: ReconResource) -> dg.SensorResult:
        """Requests a partner-day once its object is under the partner's S3 prefix, its marker is
        there when `ready.marker` asks for one, and the day's ledger export is there.

        The run key holds the object's key and ETag, so the same object never triggers twice,
        while an object re-uploaded under the same key triggers the day again. A partner whose
        prefix cannot be listed is logged (one line, no credential) and tried again next tick.
        """
        config = recon.config()
        ledger = LedgerFingerprints(config)
        cursor: dict[str, Any] = json.loads(context.cursor) if context.cursor else {}
        requests: list[dg.RunRequest] = []
        for partner_id, dates in sorted(partitions.items()):
            source = config.partners[partner_id].source if partner_id in config.partners else None
            if not isinstance(source, S3Source):
                continue
            try:
                current, cursor[partner_id] = watch_partner(
                    source, partner_id, dates, ledger, cursor.get(partner_id, {}), recent_keys
                )
            except ReconError as exc:
                context.log.warning(f"{partner_id}: {exc}")
                continue
            requests += partner_day_requests(current, sorted(current))
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))

    return s3_landing
