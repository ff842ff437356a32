"""Shared by the tests/test_s3_*.py files: a real S3 server (moto's, on a free local port) holding
fixture files, and configurations that read some sources from it."""

from __future__ import annotations

import copy
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto.server import ThreadedMotoServer
from recon_cli import recon_run as recon_command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASE: dict[str, Any] = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))
BUCKET = "recon-landing"
PARTNER = "stripe_us"
D2, D3, D4 = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)
PARTNER_PREFIX = f"settlements/{PARTNER}"
PARTNER_PATTERN = "stripe_balance_{date:%Y-%m-%d}.csv"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@contextmanager
def moto_server() -> Iterator[str]:
    """URL of a running S3 server holding the ledger exports of D2 and D3 and the partner's D2 file."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        with pytest.MonkeyPatch.context() as patch:
            for name, value in CREDENTIALS.items():
                patch.setenv(name, value)
            client = boto3.client("s3", endpoint_url=url)
            client.create_bucket(Bucket=BUCKET)
            for day in (D2, D3):
                ledger = FIXTURES / "ledger" / f"ledger_{day:%Y-%m-%d}.csv"
                client.upload_file(str(ledger), BUCKET, f"exports/ledger/{ledger.name}")
            settlement = FIXTURES / "landing" / PARTNER / PARTNER_PATTERN.format(date=D2)
            client.upload_file(str(settlement), BUCKET, f"{PARTNER_PREFIX}/{settlement.name}")
        yield url
    finally:
        server.stop()


def client(endpoint_url: str):
    return boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1")


def s3_source(
    endpoint_url: str, prefix: str, pattern: str, bucket: str = BUCKET, **extra: Any
) -> dict[str, Any]:
    return {
        "kind": "s3",
        "bucket": bucket,
        "prefix": prefix,
        "pattern": pattern,
        "endpoint_url": endpoint_url,
        **extra,
    }


def ledger_on(endpoint_url: str) -> dict[str, Any]:
    return s3_source(endpoint_url, "exports/ledger/", "ledger_{date:%Y-%m-%d}.csv")


def partner_on(endpoint_url: str, bucket: str = BUCKET, **extra: Any) -> dict[str, Any]:
    return s3_source(endpoint_url, PARTNER_PREFIX, PARTNER_PATTERN, bucket, **extra)


def write_config(
    tmp_path: Path, partners: dict[str, dict[str, Any] | None], ledger: dict[str, Any] | None = None
) -> Path:
    """fixtures/recon.yaml with the given partners only, S3 sources where given, local otherwise."""
    raw = copy.deepcopy(BASE)
    raw["data_dir"] = str(tmp_path / "data")
    for source in [raw["ledger"]["source"], *(body["source"] for body in raw["partners"].values())]:
        source["path"] = str(FIXTURES / source["path"])
    if ledger is not None:
        raw["ledger"]["source"] = ledger
    raw["partners"] = {pid: raw["partners"][pid] for pid in partners}
    for pid, source in partners.items():
        if source is not None:
            raw["partners"][pid]["source"] = source
    path = tmp_path / "recon.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def recon_run(config: Path, day: date, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`recon run` of `day` in its own process, as a user would start it, with the test credentials."""
    return recon_command("run", "--date", day.isoformat(), "--config", str(config), cwd=cwd, **CREDENTIALS)


def landed_files(data_dir: Path) -> list[Path]:
    """Every file under the data directory's landing area, temporary ones included."""
    landing = data_dir / "landing"
    return sorted(path for path in landing.rglob("*") if path.is_file()) if landing.exists() else []
