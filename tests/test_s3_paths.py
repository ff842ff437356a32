"""Hostile names and secrets: no prefix, pattern or key lands or reads outside its folder, no
symbolic link in a landing folder is followed, and no endpoint credential is ever printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fault_proxy import Fault, FaultProxy
from fixture_copy import copy_fixtures
from ports import free_port
from s3_support import (
    BUCKET,
    D2,
    PARTNER,
    PARTNER_PATTERN,
    landed_files,
    partner_on,
    recon_run,
    write_config,
)

from recon.config import S3Source, load_config
from recon.errors import ConfigError, IngestError
from recon.sources import fetch
from recon.store import Layout

pytest_plugins = ["s3_fixtures"]
pytestmark = [pytest.mark.usefixtures("aws_credentials")]

PASSWORD = "pa55-W0rd-s3cret"
TOKEN = "tok-98765-s3cret"


def _load_with(tmp_path: Path, source: dict[str, Any]) -> str:
    """The one-line error of loading the fixtures with `source` as stripe_us's source."""
    path = write_config(tmp_path, {PARTNER: source})
    with pytest.raises(ConfigError) as failure:
        load_config(path)
    return str(failure.value)


S3_CASES = [
    ("prefix", "/etc", "is absolute"),
    ("prefix", "settlements/../../outside", "has a '.' or '..' part"),
    ("prefix", "..", "has a '.' or '..' part"),
    ("prefix", "settlements\\stripe", "contains a backslash"),
    ("prefix", "settle\x00ments", "contains a NUL character"),
    ("prefix", "a//b", "has an empty part"),
    ("pattern", "../stripe_{date:%Y-%m-%d}.csv", "has a '.' or '..' part"),
    ("pattern", "/tmp/stripe_{date:%Y-%m-%d}.csv", "is absolute"),
    ("pattern", "sub\\stripe_{date:%Y-%m-%d}.csv", "contains a backslash"),
    ("bucket", "..", "not an S3 bucket name"),
    ("bucket", "a/../b", "not an S3 bucket name"),
    ("endpoint_url", "file:///etc/passwd", "must be an http:// or https:// URL"),
]


@pytest.mark.parametrize(("key", "value", "reason"), S3_CASES)
def test_an_s3_name_that_would_leave_its_folder_is_refused_at_load(
    tmp_path: Path, key: str, value: str, reason: str
) -> None:
    source = {**partner_on("http://127.0.0.1:9"), key: value}
    message = _load_with(tmp_path, source)
    assert f"recon.yaml: partners.{PARTNER}.source.{key}: {reason}" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("../stripe_{date:%Y-%m-%d}.csv", "has a '.' or '..' part"),
        ("/etc/stripe_{date:%Y-%m-%d}.csv", "is absolute"),
        ("C:/stripe_{date:%Y-%m-%d}.csv", "is absolute"),
    ],
)
def test_a_local_pattern_that_would_leave_its_folder_is_refused_at_load(
    tmp_path: Path, pattern: str, reason: str
) -> None:
    message = _load_with(tmp_path, {"kind": "local", "path": str(tmp_path), "pattern": pattern})
    assert f"partners.{PARTNER}.source.pattern: {reason}" in message


def test_a_download_that_would_resolve_outside_the_landing_folder_is_refused(
    tmp_path: Path, s3_endpoint: str
) -> None:
    """The landing folder's own sub-folder is a link to elsewhere: checked at download, not only
    at load, so nothing is written through it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    bucket_folder = tmp_path / "data" / "landing" / BUCKET
    bucket_folder.mkdir(parents=True)
    (bucket_folder / "settlements").symlink_to(outside, target_is_directory=True)
    source = load_config(write_config(tmp_path, {PARTNER: partner_on(s3_endpoint)})).partner(PARTNER).source
    with pytest.raises(IngestError, match=r"resolves outside .*/landing/recon-landing; refused$"):
        fetch(source, D2, tmp_path / "data")
    assert list(outside.rglob("*")) == []


def test_a_key_that_escapes_is_refused_at_download_even_past_validation(
    tmp_path: Path, s3_endpoint: str
) -> None:
    source = S3Source.model_construct(
        kind="s3", bucket=BUCKET, prefix="../../escape", pattern=PARTNER_PATTERN, endpoint_url=s3_endpoint
    )
    with pytest.raises(
        IngestError, match=r"has a '\.' or '\.\.' part; it must stay inside its folder; refused$"
    ):
        fetch(source, D2, tmp_path / "data")
    assert list(tmp_path.rglob("*")) == []


SECRET = "ACCOUNT-NUMBERS-TOP-SECRET"


def _linked_landing(tmp_path: Path, link_folder: bool) -> tuple[Path, Path]:
    """Fixtures where stripe_us's D2 file (or its dated folder) is a link to a secret file."""
    copy_fixtures(tmp_path)
    secret_dir = tmp_path / "elsewhere"
    secret_dir.mkdir()
    secret = secret_dir / PARTNER_PATTERN.format(date=D2)
    secret.write_text(f"id\n{SECRET}\n", encoding="utf-8")
    landing = tmp_path / "landing" / PARTNER
    raw = yaml.safe_load((tmp_path / "recon.yaml").read_text(encoding="utf-8"))
    if link_folder:
        raw["partners"][PARTNER]["source"]["pattern"] = "{date:%Y%m%d}/" + secret.name.replace("{", "{{")
        link = landing / f"{D2:%Y%m%d}"
        link.symlink_to(secret_dir, target_is_directory=True)
    else:
        link = landing / PARTNER_PATTERN.format(date=D2)
        link.unlink()
        link.symlink_to(secret)
    (tmp_path / "recon.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return tmp_path / "recon.yaml", link


@pytest.mark.parametrize("link_folder", [False, True], ids=["file", "folder"])
def test_a_symbolic_link_in_a_landing_folder_is_refused_without_reading_it(
    tmp_path: Path, link_folder: bool
) -> None:
    config, link = _linked_landing(tmp_path, link_folder)
    done = recon_run(config, D2, tmp_path)
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert line == f"failed: {PARTNER} 2026-11-02: {link}: is a symbolic link; refused"
    assert SECRET not in done.stdout + done.stderr
    assert "elsewhere" not in done.stdout + done.stderr
    layout = Layout(tmp_path / "data")
    assert not layout.canonical("partner", PARTNER, D2).exists()
    assert not layout.result("matches", PARTNER, D2).exists()


def test_endpoint_credentials_never_appear_when_a_run_fails(tmp_path: Path, s3_endpoint: str) -> None:
    """Three failing partner-days, each printing its endpoint: a dead one, one behind a proxy that
    keeps answering 503, and one whose URL carries a query token."""
    port = free_port()
    with FaultProxy(s3_endpoint) as proxy:
        proxy.inject(Fault("slowdown", times=1000))
        proxied = proxy.url.replace("http://", f"http://reader:{PASSWORD}@")
        partners = {
            "adyen_eu": partner_on(f"http://reader:{PASSWORD}@127.0.0.1:{port}", retries={"max_attempts": 1}),
            PARTNER: partner_on(proxied, retries={"max_attempts": 2}),
            "paypal_gb": partner_on(f"http://127.0.0.1:{port}/?token={TOKEN}", retries={"max_attempts": 1}),
        }
        done = recon_run(write_config(tmp_path, partners), D2, tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 3, done.stderr
    assert PASSWORD not in output and TOKEN not in output and "reader" not in output
    assert f'Could not connect to the endpoint URL: "http://127.0.0.1:{port}/{BUCKET}/' in output
    assert "S3 error SlowDown (HTTP 503) after 2 attempts" in output
    assert "Traceback" not in output
    assert landed_files(tmp_path / "data") == []
