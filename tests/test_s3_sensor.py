"""The `s3_landing` sensor against moto's S3 server, through the fault proxy so every listing it
sends is seen: it lists after its cursor, requests each new or corrected partner-day once, and
waits for a marker when the source asks for one."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import dagster as dg
import pytest
from fault_proxy import FaultProxy
from s3_support import (
    BUCKET,
    D2,
    D3,
    D4,
    FIXTURES,
    PARTNER,
    PARTNER_PATTERN,
    PARTNER_PREFIX,
    client,
    partner_on,
    write_config,
)
from sensor_ticks import SensorTicks

from dagster_project.definitions import build_definitions
from dagster_project.jobs import build_partner_day_job
from dagster_project.partitions import partner_partitions
from dagster_project.resources import ReconResource
from dagster_project.sensors.s3_landing import build_s3_landing_sensor
from recon.config import load_config

pytest_plugins = ["s3_fixtures"]
pytestmark = [
    pytest.mark.usefixtures("aws_credentials"),
    pytest.mark.filterwarnings("ignore:Function `AssetSelection.sources`:DeprecationWarning"),
]


class Watch(SensorTicks):
    """The sensor over one partner's own prefix, ticked with the cursor of the previous tick."""

    def __init__(self, tmp_path: Path, s3_proxy: FaultProxy, s3_endpoint: str, **source: Any) -> None:
        self.prefix = f"{PARTNER_PREFIX}/{tmp_path.name}"
        partner = {**partner_on(s3_proxy.url, **source), "prefix": self.prefix}
        config = load_config(write_config(tmp_path, {PARTNER: partner}))
        resource = ReconResource(config_path=str(config.config_path))
        partitions = {PARTNER: partner_partitions(config, PARTNER)}
        sensor = build_s3_landing_sensor(partitions, [build_partner_day_job(PARTNER)], recent_keys=1)
        super().__init__(sensor, resource, build_definitions(config, resource))
        self.proxy, self.s3 = s3_proxy, client(s3_endpoint)

    def upload(self, day: Any, body: bytes | None = None, name: str | None = None) -> str:
        key = f"{self.prefix}/{name or PARTNER_PATTERN.format(date=day)}"
        fixture = FIXTURES / "landing" / PARTNER / PARTNER_PATTERN.format(date=day)
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body if body is not None else fixture.read_bytes())
        return key

    def tick(self) -> list[str]:
        """The partner-days requested; the proxy's log holds this tick's requests only."""
        self.proxy.clear()
        return super().tick()

    def listings(self) -> list[dict[str, list[str]]]:
        """Query parameters of each ListObjectsV2 request of the last tick."""
        queries = [parse_qs(urlsplit(request.path).query) for request in self.proxy.requests]
        return [query for query in queries if query.get("list-type") == ["2"]]


def test_each_new_or_corrected_object_is_requested_once(
    tmp_path: Path, s3_proxy: FaultProxy, s3_endpoint: str
) -> None:
    """The window of keys listed again is one key here: the cursor starts after the key before it."""
    watch = Watch(tmp_path, s3_proxy, s3_endpoint)
    assert watch.tick() == []
    first_key, second_key = watch.upload(D2), watch.upload(D3)
    assert watch.tick() == [f"{D2}|{PARTNER}", f"{D3}|{PARTNER}"]
    assert "start-after" not in watch.listings()[0]

    third_key = watch.upload(D4)
    assert watch.tick() == [f"{D4}|{PARTNER}"]
    [listing] = watch.listings()
    assert listing["start-after"] == [first_key], "the second tick lists only after the cursor"
    assert listing["prefix"] == [f"{watch.prefix}/"]
    assert watch.tick() == []
    assert watch.listings()[0]["start-after"] == [second_key]

    watch.upload(
        D4, body=(FIXTURES / "landing" / PARTNER / PARTNER_PATTERN.format(date=D4)).read_bytes() + b"\n"
    )
    assert watch.tick() == [f"{D4}|{PARTNER}"], "a corrected object under the same key is requested again"
    assert watch.tick() == []
    assert len(set(watch.run_keys)) == len(watch.run_keys) == 4
    assert all(third_key in key for key in watch.run_keys[2:])


def test_an_object_waits_for_its_marker(tmp_path: Path, s3_proxy: FaultProxy, s3_endpoint: str) -> None:
    watch = Watch(tmp_path, s3_proxy, s3_endpoint, ready={"marker": "{name}.done"})
    key = watch.upload(D2)
    assert watch.tick() == []
    assert watch.tick() == [], "still no marker"
    watch.upload(D2, body=b"", name=f"{PARTNER_PATTERN.format(date=D2)}.done")
    assert watch.tick() == [f"{D2}|{PARTNER}"]
    assert watch.tick() == []
    assert key in watch.run_keys[0]


def test_a_day_without_its_ledger_export_waits(
    tmp_path: Path, s3_proxy: FaultProxy, s3_endpoint: str
) -> None:
    """The fixtures have ledger exports for a few November days only."""
    watch = Watch(tmp_path, s3_proxy, s3_endpoint)
    watch.upload(D2, name=PARTNER_PATTERN.format(date=D2.replace(day=20)))
    assert watch.tick() == []


def test_the_sensor_is_part_of_the_definitions(tmp_path: Path, s3_proxy: FaultProxy) -> None:
    config = load_config(write_config(tmp_path, {PARTNER: partner_on(s3_proxy.url)}))
    defs = build_definitions(config, ReconResource(config_path=str(config.config_path)))
    sensor = defs.resolve_sensor_def("s3_landing")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
