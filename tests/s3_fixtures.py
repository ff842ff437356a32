"""Fixtures of the tests/test_s3_*.py files, which load them with `pytest_plugins = ["s3_fixtures"]`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fault_proxy import FaultProxy
from s3_support import CREDENTIALS, moto_server


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's server for the test module (see `moto_server`)."""
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def s3_proxy(s3_endpoint: str) -> Iterator[FaultProxy]:
    """The fault proxy in front of the module's S3 server, with no fault until a test injects one."""
    with FaultProxy(s3_endpoint) as running:
        yield running


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test credentials only: no profile or key of the machine is read."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
