"""Faults of a real S3 endpoint, injected by tests/fault_proxy.py between recon and moto's server.

A fault that happens once is retried (botocore's policy for requests, s3transfer's for bodies)
and the day's matches equal a clean run's. A fault that persists fails that partner-day alone
with one line: nothing landed, ingested or published for it, the other partners reconciled. An
object overwritten while it downloads is never landed as a mix of two versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fault_proxy import Fault, FaultProxy, Kind
from s3_support import (
    BUCKET,
    D2,
    FIXTURES,
    PARTNER,
    PARTNER_PATTERN,
    PARTNER_PREFIX,
    client,
    landed_files,
    partner_on,
    recon_run,
    write_config,
)

from recon.config import S3Source, load_config
from recon.errors import IngestError
from recon.pipeline import run_day
from recon.sources import fetch
from recon.store import Layout

pytest_plugins = ["s3_fixtures"]
pytestmark = [pytest.mark.usefixtures("aws_credentials")]

KEY = f"{PARTNER_PREFIX}/{PARTNER_PATTERN.format(date=D2)}"
ORIGIN = f"s3://{BUCKET}/{KEY}"
ATTEMPTS = 3
FAST = {
    "retries": {"mode": "standard", "max_attempts": ATTEMPTS},
    "connect_timeout_seconds": 1,
    "read_timeout_seconds": 1,
}
STALL = 2.0
KINDS: tuple[Kind, ...] = ("slowdown", "error500", "reset", "stall", "truncate")
MB = 1024 * 1024


@pytest.fixture(scope="module")
def clean_matches(s3_proxy: FaultProxy, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """The partner-day's matches from S3 through the proxy with no fault."""
    s3_proxy.clear()
    config = load_config(
        write_config(tmp_path_factory.mktemp("clean"), {PARTNER: partner_on(s3_proxy.url, **FAST)})
    )
    assert [result.error for result in run_day(config, D2)] == [None]
    matches = pl.read_parquet(Layout(config.data_dir).result("matches", PARTNER, D2))
    assert matches.height > 0
    return matches


def _fault(kind: Kind, method: str = "GET", **extra: Any) -> Fault:
    return Fault(kind, method=method, path=f"/{BUCKET}/{KEY}", stall_seconds=STALL, **extra)


@pytest.mark.parametrize(
    ("kind", "method", "mode"),
    [(kind, "GET", "standard") for kind in KINDS]
    + [("slowdown", "HEAD", "standard"), ("reset", "HEAD", "standard"), ("slowdown", "GET", "adaptive")],
)
def test_a_fault_once_is_retried_and_the_day_matches_a_clean_run(
    tmp_path: Path, s3_proxy: FaultProxy, clean_matches: pl.DataFrame, kind: Kind, method: str, mode: str
) -> None:
    settings = {**FAST, "retries": {"mode": mode, "max_attempts": ATTEMPTS}}
    config = load_config(write_config(tmp_path, {PARTNER: partner_on(s3_proxy.url, **settings)}))
    with s3_proxy.only(_fault(kind, method)) as fault:
        assert [result.error for result in run_day(config, D2)] == [None]
    assert fault.injected == 1
    layout = Layout(config.data_dir)
    assert pl.read_parquet(layout.result("matches", PARTNER, D2)).equals(clean_matches)
    [landed] = landed_files(config.data_dir)
    assert landed.read_bytes() == (FIXTURES / "landing" / PARTNER / landed.name).read_bytes()


EXPECTED = {
    "slowdown": f"S3 error SlowDown (HTTP 503) after {ATTEMPTS} attempts",
    "error500": f"S3 error InternalError (HTTP 500) after {ATTEMPTS} attempts",
    "reset": "Connection was closed before we received a valid response from endpoint URL",
    "stall": "download failed after repeated attempts: Read timeout on endpoint URL",
    "truncate": "download failed after repeated attempts: ",
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_persisting_fault_fails_only_its_partner_in_one_line(
    tmp_path: Path, s3_proxy: FaultProxy, kind: Kind
) -> None:
    attempts = 2 if kind == "stall" else ATTEMPTS  # each stall waits out the read timeout
    settings = {**FAST, "retries": {"mode": "standard", "max_attempts": attempts}}
    partners = {"adyen_eu": None, PARTNER: partner_on(s3_proxy.url, **settings), "paypal_gb": None}
    config = write_config(tmp_path, partners)
    with s3_proxy.only(_fault(kind, times=1000)) as fault:
        done = recon_run(config, D2, tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"failed: {PARTNER} 2026-11-02: {ORIGIN}: "), line
    assert EXPECTED[kind] in line
    assert fault.injected >= attempts
    assert landed_files(tmp_path / "data") == []
    layout = Layout(tmp_path / "data")
    assert not layout.canonical("partner", PARTNER, D2).exists()
    assert not layout.result("matches", PARTNER, D2).parent.exists()
    for partner in ("adyen_eu", "paypal_gb"):
        assert pl.read_parquet(layout.result("matches", partner, D2)).height > 0, partner


def _big_source(s3_proxy: FaultProxy, prefix: str, bucket: str = BUCKET) -> S3Source:
    return S3Source(
        kind="s3",
        bucket=bucket,
        prefix=prefix,
        pattern="big_{date:%Y%m%d}.bin",
        endpoint_url=s3_proxy.url,
        **FAST,
    )


def _overwrite(s3_endpoint: str, bucket: str, key: str, versions: Iterable[bytes]) -> Any:
    """An action that uploads the next of `versions` straight to the server (not via the proxy)."""
    s3 = client(s3_endpoint)
    uploads = iter(versions)
    return lambda: s3.put_object(Bucket=bucket, Key=key, Body=next(uploads))


@pytest.mark.parametrize("size", [9 * MB, 1000], ids=["multipart", "single-get"])
def test_an_object_overwritten_mid_download_is_landed_whole_in_its_new_version(
    tmp_path: Path, s3_proxy: FaultProxy, s3_endpoint: str, size: int
) -> None:
    source = _big_source(s3_proxy, f"overwrite-{size}")
    key = source.key(D2)
    old, new = b"a" * size, b"b" * size
    s3 = client(s3_endpoint)
    s3.put_object(Bucket=BUCKET, Key=key, Body=old)
    ranged = size > 8 * MB
    swap = Fault("before", path=f"/{BUCKET}/{key}", ranged=ranged, after=1 if ranged else 0)
    swap.action = _overwrite(s3_endpoint, BUCKET, key, [new])
    with s3_proxy.only(swap):
        landed = fetch(source, D2, tmp_path)
        heads = [request for request in s3_proxy.requests if request.method == "HEAD" and key in request.path]
    assert swap.injected == 1
    assert len(heads) == 2, "the download started over from a new HEAD"
    assert landed.path.read_bytes() == new
    assert (landed.size, landed.etag) == (size, s3.head_object(Bucket=BUCKET, Key=key)["ETag"])
    assert landed.origin == f"s3://{BUCKET}/{key}"
    assert landed_files(tmp_path) == [landed.path]


def test_an_object_overwritten_during_every_download_fails_cleanly(
    tmp_path: Path, s3_proxy: FaultProxy, s3_endpoint: str
) -> None:
    source = _big_source(s3_proxy, "always-changing")
    key = source.key(D2)
    client(s3_endpoint).put_object(Bucket=BUCKET, Key=key, Body=b"a" * 9 * MB)
    swap = Fault("before", path=f"/{BUCKET}/{key}", ranged=True, after=1, times=1000)
    swap.action = _overwrite(s3_endpoint, BUCKET, key, (bytes([65 + n % 26]) * 9 * MB for n in range(1000)))
    with s3_proxy.only(swap), pytest.raises(IngestError) as failure:
        fetch(source, D2, tmp_path)
    assert (
        str(failure.value)
        == f"s3://{BUCKET}/{key}: the object changed during each of 2 downloads; not landed"
    )
    assert landed_files(tmp_path) == []


def test_a_versioned_object_is_downloaded_in_the_version_seen_at_head(
    tmp_path: Path, s3_proxy: FaultProxy, s3_endpoint: str
) -> None:
    bucket = "recon-versioned"
    s3 = client(s3_endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    source = _big_source(s3_proxy, "versioned", bucket)
    key = source.key(D2)
    first = s3.put_object(Bucket=bucket, Key=key, Body=b"a" * 9 * MB)
    swap = Fault("before", path=f"/{bucket}/{key}", ranged=True, after=1)
    swap.action = _overwrite(s3_endpoint, bucket, key, [b"b" * 9 * MB])
    with s3_proxy.only(swap):
        landed = fetch(source, D2, tmp_path)
    assert swap.injected == 1
    assert landed.path.read_bytes() == b"a" * 9 * MB
    assert (landed.version_id, landed.etag) == (first["VersionId"], first["ETag"])
