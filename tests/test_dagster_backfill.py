"""End to end through the real web server: `dagster dev` (web server, daemon, code server) on
127.0.0.1 with a temporary DAGSTER_HOME, a backfill launched through GraphQL the way the UI
launches one, and the outputs and break lifecycle checked on disk.

Slow by nature (the backfill daemon works in 30-second ticks and the days run one after the
other), so it is the only test that starts a server; every failure message carries the log.
"""

import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import polars as pl
import pytest
from fixture_copy import copy_fixtures
from ports import free_port

from recon.config import ReconConfig
from recon.open_breaks import open_breaks
from recon.pipeline import PUBLISHED, run_day
from recon.store import Layout

REPO = Path(__file__).resolve().parents[1]
ASSETS = ("partner_settlements", "ledger_entries", "reconciliation", "daily_summary")
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))
PARTNERS = ("adyen_eu", "stripe_us")
LOAD_TIMEOUT = 180

pytestmark = pytest.mark.slow
BACKFILL_TIMEOUT = 480

LAUNCH_BACKFILL = """
mutation LaunchPartitionBackfill($backfillParams: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $backfillParams) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on Error { message }
    ... on PythonError { stack }
  }
}"""
LOCATIONS = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message stack } } } } } }"""
BACKFILL_STATUS = """
query ($id: String!) { partitionBackfillOrError(backfillId: $id) {
    __typename ... on PartitionBackfill { status } ... on Error { message } } }"""
BACKFILL_RUNS = """
query ($id: String!) { runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
    ... on Runs { results {
        runId status startTime endTime assetSelection { path } tags { key value } } } } }"""
STEP_FAILURES = """
query ($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events {
    ... on ExecutionStepFailureEvent { stepKey message error { message } } } } } }"""


class DagsterDev:
    """`dagster dev -w workspace.yaml` in its own process group, talked to over GraphQL."""

    def __init__(self, home: Path, config: ReconConfig, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = {key: value for key, value in os.environ.items() if not key.startswith("DAGSTER_")}
        env.update(DAGSTER_HOME=str(home), RECON_CONFIG=str(config.config_path))
        command = [str(Path(sys.executable).parent / "dagster"), "dev", "-w", "workspace.yaml"]
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [*command, "-h", "127.0.0.1", "-p", str(self.port)],
                cwd=REPO,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def fail(self, message: str) -> NoReturn:
        tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-150:])
        pytest.fail(f"{message}\n--- dagster dev log (last 150 lines) ---\n{tail}")

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        if answer.get("errors"):
            self.fail(f"GraphQL errors: {answer['errors']}")
        return answer["data"]

    def wait_until_loaded(self) -> None:
        """Until the web server answers and the code location has loaded (or failed to)."""
        deadline = time.monotonic() + LOAD_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail(f"dagster dev exited with code {self.process.returncode}")
            try:
                workspace = self.graphql(LOCATIONS)["workspaceOrError"]
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
                continue
            entries = workspace.get("locationEntries", [])
            loaded = [entry for entry in entries if entry["loadStatus"] == "LOADED"]
            if entries and len(loaded) == len(entries):
                errors = [e for e in entries if e["locationOrLoadError"]["__typename"] == "PythonError"]
                if errors:
                    self.fail(f"code location failed to load: {errors}")
                return
            time.sleep(1)
        self.fail(f"code location not loaded within {LOAD_TIMEOUT} s")

    def wait_for_backfill(self, backfill_id: str) -> str:
        deadline = time.monotonic() + BACKFILL_TIMEOUT
        while time.monotonic() < deadline:
            backfill = self.graphql(BACKFILL_STATUS, {"id": backfill_id})["partitionBackfillOrError"]
            if backfill["__typename"] != "PartitionBackfill":
                self.fail(f"backfill {backfill_id} not found: {backfill}")
            if backfill["status"] not in ("REQUESTED", "CANCELING", "FAILING"):
                return backfill["status"]
            time.sleep(2)
        self.fail(f"backfill {backfill_id} unfinished after {BACKFILL_TIMEOUT} s: {self.runs(backfill_id)}")

    def runs(self, backfill_id: str) -> list[dict[str, Any]]:
        return self.graphql(BACKFILL_RUNS, {"id": backfill_id})["runsOrError"]["results"]

    def step_failures(self, runs: list[dict[str, Any]]) -> list[str]:
        """`run step: message` of every failed step of the failed runs."""
        failures = []
        for run in runs:
            if run["status"] == "SUCCESS":
                continue
            events = self.graphql(STEP_FAILURES, {"id": run["runId"]})["logsForRun"].get("events", [])
            for event in events:
                if event.get("stepKey"):
                    detail = (event.get("error") or {}).get("message") or event.get("message")
                    failures.append(f"{run['runId']} {event['stepKey']}: {detail}")
        return failures

    def group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        """Ctrl-C for the whole process group (web server, daemon, code server, runs), then kill
        whatever is left."""
        for sig, grace in ((signal.SIGINT, 15), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            deadline = time.monotonic() + grace
            while self.group_alive() and time.monotonic() < deadline:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=0.5)
            if not self.group_alive():
                return


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[DagsterDev, ReconConfig]]:
    config = copy_fixtures(tmp_path / "project")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO / "dagster_project" / "dagster.yaml", home / "dagster.yaml")
    dev = DagsterDev(home, config, tmp_path / "dagster_dev.log")
    try:
        yield dev, config
    finally:
        dev.stop()


def open_as_of(config: ReconConfig, layout: Layout, partner_id: str, day: date) -> pl.DataFrame:
    """The library's own view of the breaks open on `day`, with their lifecycle."""
    with duckdb.connect() as con:
        return open_breaks(con, layout, partner_id, day, config.partner(partner_id).breaks)


def reconciliation_run_times(runs: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[float, float]]:
    """(date, partner) -> start and end time of the run that reconciled it."""
    times = {}
    for run in runs:
        paths = [asset["path"] for asset in run["assetSelection"] or []]
        for partner, _asset in (path for path in paths if path[-1] == "reconciliation"):
            tags = {tag["key"]: tag["value"] for tag in run["tags"]}
            times[(tags["dagster/partition"], partner)] = (run["startTime"], run["endTime"])
    return times


def test_backfill_launched_like_the_ui_reconciles_days_in_order(server, tmp_path: Path) -> None:
    dev, config = server
    dev.wait_until_loaded()
    days = {"range": {"start": str(DAYS[0]), "end": str(DAYS[-1])}}
    params = {
        "partitionsByAssets": [
            {"assetKey": {"path": [partner, asset]}, "partitions": days}
            for partner in PARTNERS
            for asset in ASSETS
        ],
        "fromFailure": False,
        "title": "end-to-end test",
    }
    launched = dev.graphql(LAUNCH_BACKFILL, {"backfillParams": params})["launchPartitionBackfill"]
    if launched["__typename"] != "LaunchBackfillSuccess":
        dev.fail(f"backfill not launched: {launched}")
    backfill_id = launched["backfillId"]
    status = dev.wait_for_backfill(backfill_id)
    runs = dev.runs(backfill_id)
    if status != "COMPLETED_SUCCESS" or any(run["status"] != "SUCCESS" for run in runs):
        failures = "\n".join(dev.step_failures(runs))
        dev.fail(f"backfill ended {status}; failed steps:\n{failures}")

    times = reconciliation_run_times(runs)
    assert sorted(times) == sorted((str(day), partner) for day in DAYS for partner in PARTNERS)
    for partner in PARTNERS:
        for before, after in itertools.pairwise(DAYS):
            assert times[(str(after), partner)][0] >= times[(str(before), partner)][1], (
                f"{partner}: {after} started before {before} finished"
            )

    layout = Layout(config.data_dir)
    for day in DAYS:
        for partner in PARTNERS:
            for table in (*PUBLISHED, "summary"):
                assert layout.result(table, partner, day).is_file(), f"{table} of {partner} {day} missing"
    assert not Layout(config.data_dir).pointer("paypal_gb").exists()

    first_day, last_day = (open_as_of(config, layout, "adyen_eu", day) for day in (DAYS[0], DAYS[-1]))
    assert set(first_day["status"]) == {"new"}
    carried = last_day.filter(pl.col("first_seen") == DAYS[0])
    assert carried.height > 0, "no break of the first day is still open on the third"
    assert set(carried["status"]) == {"persisting"} and set(carried["age_days"]) == {2}
    assert set(carried["break_id"]) <= set(first_day["break_id"])
    resolved = pl.read_parquet(layout.result("resolved", "adyen_eu", DAYS[-1]))
    assert resolved.height > 0 and not set(resolved["break_id"]) & set(last_day["break_id"])

    for day in DAYS:
        run_day(config, day, list(PARTNERS), data_dir=tmp_path / "reference")
    reference = Layout(tmp_path / "reference")
    for day in DAYS:
        for partner in PARTNERS:
            for table in (*PUBLISHED, "summary"):
                expected = pl.read_parquet(reference.result(table, partner, day))
                assert pl.read_parquet(layout.result(table, partner, day)).equals(expected), (
                    f"{table} of {partner} {day} differs from run_day's"
                )
