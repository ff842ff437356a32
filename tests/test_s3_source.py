"""S3 sources against a real S3 HTTP endpoint (moto's standalone server on a free local port).

The bundled files of one partner and the ledger are uploaded to a bucket; a run that reads them
from S3 must publish the same matches as a run over the local folders. A missing object, a
missing bucket and an endpoint where nothing listens each fail only the unit that needs them,
with a one-line message.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from ports import free_port
from s3_support import (
    BUCKET,
    D2,
    D3,
    FIXTURES,
    PARTNER,
    ledger_on,
    partner_on,
    recon_run,
    write_config,
)

from recon.config import load_config
from recon.pipeline import run_day
from recon.store import Layout

pytest_plugins = ["s3_fixtures"]
pytestmark = [pytest.mark.usefixtures("aws_credentials")]


def test_a_run_from_s3_equals_a_run_from_local_folders(tmp_path: Path, s3_endpoint: str) -> None:
    remote = load_config(
        write_config(tmp_path / "s3", {PARTNER: partner_on(s3_endpoint)}, ledger_on(s3_endpoint))
    )
    local = load_config(write_config(tmp_path / "local", {PARTNER: None}))
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


def test_a_missing_object_fails_the_unit_naming_its_s3_address(tmp_path: Path, s3_endpoint: str) -> None:
    config = load_config(write_config(tmp_path, {PARTNER: partner_on(s3_endpoint)}, ledger_on(s3_endpoint)))
    [result] = run_day(config, D3)
    assert not result.ok
    assert result.error == f"s3://{BUCKET}/settlements/{PARTNER}/stripe_balance_{D3}.csv: file not found"
    assert not Layout(config.data_dir).result("matches", PARTNER, D3).exists()


def test_a_missing_bucket_is_named_as_such(tmp_path: Path, s3_endpoint: str) -> None:
    config = load_config(write_config(tmp_path, {PARTNER: partner_on(s3_endpoint, bucket="no-such-bucket")}))
    [result] = run_day(config, D2)
    key = f"settlements/{PARTNER}/stripe_balance_{D2}.csv"
    assert result.error == f"s3://no-such-bucket/{key}: bucket 'no-such-bucket' not found"


def test_a_dead_endpoint_fails_only_its_partner_without_a_traceback(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    unreachable = partner_on(
        dead, retries={"max_attempts": 2}
    )  # each retry of a refused connection backs off
    config = write_config(tmp_path, {"adyen_eu": None, PARTNER: unreachable, "paypal_gb": None})
    done = recon_run(config, D2, tmp_path)
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
