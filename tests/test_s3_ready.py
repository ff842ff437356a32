"""A file is taken only when complete: a marker next to it (local file or S3 object), or for local
files a modification time old enough. Until then the partner-day fails in one ordinary line and
a later run takes the file."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fixture_copy import copy_fixtures
from s3_support import (
    BUCKET,
    D2,
    PARTNER,
    PARTNER_PATTERN,
    PARTNER_PREFIX,
    client,
    landed_files,
    partner_on,
    write_config,
)

from recon.config import load_config
from recon.errors import ConfigError
from recon.pipeline import run_day
from recon.store import Layout

pytest_plugins = ["s3_fixtures"]
pytestmark = [pytest.mark.usefixtures("aws_credentials")]

NAME = PARTNER_PATTERN.format(date=D2)


def _local_partner(tmp_path: Path, ready: dict[str, Any]) -> tuple[Any, Path]:
    source = {"kind": "local", "path": str(tmp_path / "landing" / PARTNER), "pattern": PARTNER_PATTERN}
    config = copy_fixtures(tmp_path, **{PARTNER: {"source": {**source, "ready": ready}}})
    return config, tmp_path / "landing" / PARTNER / NAME


def test_a_local_file_waits_for_its_marker(tmp_path: Path) -> None:
    config, path = _local_partner(tmp_path, {"marker": "{name}.done"})
    [result] = run_day(config, D2, partner_ids=[PARTNER])
    assert result.error == f"{path}: not complete yet: marker {path}.done missing"
    assert not Layout(config.data_dir).canonical("partner", PARTNER, D2).exists()
    path.with_name(f"{NAME}.done").touch()
    [result] = run_day(config, D2, partner_ids=[PARTNER])
    assert result.error is None


def test_a_local_file_waits_until_it_has_settled(tmp_path: Path) -> None:
    config, path = _local_partner(tmp_path, {"settle_seconds": 600})
    os.utime(path, (time.time(), time.time() - 30))
    [result] = run_day(config, D2, partner_ids=[PARTNER])
    assert re.fullmatch(
        rf"{re.escape(str(path))}: not complete yet: modified 3\d s ago, settle_seconds is 600",
        result.error or "",
    )
    os.utime(path, (time.time(), time.time() - 601))
    [result] = run_day(config, D2, partner_ids=[PARTNER])
    assert result.error is None


def test_an_s3_object_waits_for_its_marker_object(tmp_path: Path, s3_endpoint: str) -> None:
    config = load_config(
        write_config(tmp_path, {PARTNER: partner_on(s3_endpoint, ready={"marker": "_READY_{name}"})})
    )
    origin = f"s3://{BUCKET}/{PARTNER_PREFIX}/{NAME}"
    [result] = run_day(config, D2)
    assert (
        result.error
        == f"{origin}: not complete yet: marker s3://{BUCKET}/{PARTNER_PREFIX}/_READY_{NAME} missing"
    )
    assert landed_files(config.data_dir) == []
    client(s3_endpoint).put_object(Bucket=BUCKET, Key=f"{PARTNER_PREFIX}/_READY_{NAME}", Body=b"")
    [result] = run_day(config, D2)
    assert result.error is None
    assert [path.name for path in landed_files(config.data_dir)] == [NAME]


@pytest.mark.parametrize(
    ("ready", "reason"),
    [
        ({"marker": "{name}"}, "ready.marker: a marker must differ from the file it marks"),
        ({"marker": "../{name}.done"}, "ready.marker: a marker lies next to its file: no '/' in it"),
        ({"marker": "{date}.done"}, "ready.marker: the only field a marker takes is {name}"),
        ({"marker": "{name}\x00"}, "ready.marker: contains a NUL character"),
        ({"settle_seconds": 5}, "ready.settle_seconds: Extra inputs are not permitted"),
    ],
)
def test_a_bad_ready_setting_fails_at_load(tmp_path: Path, ready: dict[str, Any], reason: str) -> None:
    with pytest.raises(ConfigError) as failure:
        load_config(write_config(tmp_path, {PARTNER: partner_on("http://127.0.0.1:9", ready=ready)}))
    assert f"partners.{PARTNER}.source.{reason}" in str(failure.value)
