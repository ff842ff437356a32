"""S3 sources against a real S3 HTTP endpoint (moto's standalone server on a free local port).

The bundled files of one partner and the ledger are uploaded to a bucket; a run that reads them
from S3 must publish the same matches as a run over the local folders. A missing object, a
missing bucket and an endpoint where nothing listens each fail only the unit that needs them,
with a one-line message.
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import polars as pl
import pytest
import yaml
from moto.server import ThreadedMotoServer

from recon.config import load_config
from recon.pipeline import run_day
from recon.store import Layout

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECON = Path(sys.executable).with_name("recon")
BASE: dict[str, Any] = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))
BUCKET = "recon-landing"
PARTNER = "stripe_us"
D2, D3 = date(2026, 11, 2), date(2026, 11, 3)
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
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
            settlement = FIXTURES / "landing" / PARTNER / f"stripe_balance_{D2:%Y-%m-%d}.csv"
            client.upload_file(str(settlement), BUCKET, f"settlements/{PARTNER}/{settlement.name}")
        yield url
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


def _s3(endpoint_url: str, prefix: str, pattern: str, bucket: str = BUCKET) -> dict[str, str]:
    return {
        "kind": "s3",
        "bucket": bucket,
        "prefix": prefix,
        "pattern": pattern,
        "endpoint_url": endpoint_url,
    }


def _config(
    tmp_path: Path, partners: dict[str, dict[str, str] | None], ledger: dict[str, str] | None = None
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


def _ledger_on(endpoint_url: str) -> dict[str, str]:
    return _s3(endpoint_url, "exports/ledger/", "ledger_{date:%Y-%m-%d}.csv")


def _partner_on(endpoint_url: str, bucket: str = BUCKET) -> dict[str, str]:
    return _s3(endpoint_url, f"settlements/{PARTNER}", "stripe_balance_{date:%Y-%m-%d}.csv", bucket)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_run_from_s3_equals_a_run_from_local_folders(tmp_path: Path, endpoint: str) -> None:
    remote = load_config(_config(tmp_path / "s3", {PARTNER: _partner_on(endpoint)}, _ledger_on(endpoint)))
    local = load_config(_config(tmp_path / "local", {PARTNER: None}))
    assert [result.error for result in run_day(remote, D2)] == [None]
    assert [result.error for result in run_day(local, D2)] == [None]

    remote_layout, local_layout = Layout(remote.data_dir), Layout(local.data_dir)
    landed = remote_layout.root / "landing" / BUCKET / "settlements" / PARTNER / f"stripe_balance_{D2}.csv"
    assert landed.read_bytes() == (FIXTURES / "landing" / PARTNER / landed.name).read_bytes()
    remote_matches = pl.read_parquet(remote_layout.result("matches", PARTNER, D2))
    assert remote_matches.height > 0
    assert remote_matches.equals(pl.read_parquet(local_layout.result("matches", PARTNER, D2)))
    for table in ("breaks", "quarantine", "balance"):
        assert pl.read_parquet(remote_layout.result(table, PARTNER, D2)).equals(
            pl.read_parquet(local_layout.result(table, PARTNER, D2))
        ), table


def test_a_missing_object_fails_the_unit_naming_its_s3_address(tmp_path: Path, endpoint: str) -> None:
    config = load_config(_config(tmp_path, {PARTNER: _partner_on(endpoint)}, _ledger_on(endpoint)))
    [result] = run_day(config, D3)
    assert not result.ok
    assert result.error == f"s3://{BUCKET}/settlements/{PARTNER}/stripe_balance_{D3}.csv: file not found"
    assert not Layout(config.data_dir).result("matches", PARTNER, D3).exists()


def test_a_missing_bucket_is_named_as_such(tmp_path: Path, endpoint: str) -> None:
    config = load_config(_config(tmp_path, {PARTNER: _partner_on(endpoint, bucket="no-such-bucket")}))
    [result] = run_day(config, D2)
    key = f"settlements/{PARTNER}/stripe_balance_{D2}.csv"
    assert result.error == f"s3://no-such-bucket/{key}: bucket 'no-such-bucket' not found"


def test_a_dead_endpoint_fails_only_its_partner_without_a_traceback(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}"
    config = _config(tmp_path, {"adyen_eu": None, PARTNER: _partner_on(dead), "paypal_gb": None})
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [str(RECON), "run", "--date", D2.isoformat(), "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(
        f"failed: {PARTNER} 2026-11-02: s3://{BUCKET}/settlements/{PARTNER}/stripe_balance_{D2}.csv: "
    )
    assert f'Could not connect to the endpoint URL: "{dead}/' in line
    layout = Layout(tmp_path / "data")
    for partner in ("adyen_eu", "paypal_gb"):
        assert pl.read_parquet(layout.result("matches", partner, D2)).height > 0, partner
    assert not layout.result("matches", PARTNER, D2).exists()
