"""Crash safety: a run killed with SIGKILL at any point leaves readers the old complete state or
the new complete state of each partner, never a mix, and the next run completes with the same
bytes as a run that was never interrupted. Real processes, real kills, real files.

The case: the bundled fixtures reconciled for three days, then stripe_us's first file corrected
(one amount changed) and its first day run again, so each run recomputes the later days too and
the partner's state really changes between the old and the new version; the other partners'
states must not change at all.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fixture_copy import copy_fixtures

from recon.config import ReconConfig, load_config
from recon.pipeline import run_day
from recon.store import Layout
from recon.versions import committed_version

DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))
PARTNERS = ("adyen_eu", "paypal_gb", "stripe_us")
CORRECTED = "stripe_us"
KILLS = 50
ZYGOTE = """
import os, signal, sys, time
from datetime import date
from recon.config import load_config
from recon.pipeline import run_day
print("ready", flush=True)
for line in sys.stdin:
    config_path, day, partner, delay = line.split()
    started = time.monotonic()
    child = os.fork()
    if child == 0:
        run_day(load_config(config_path), date.fromisoformat(day), [partner])
        os._exit(0)
    while True:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            print("finished", os.waitstatus_to_exitcode(status), time.monotonic() - started, flush=True)
            break
        if time.monotonic() - started >= float(delay):
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            print("killed", -9, time.monotonic() - started, flush=True)
            break
        time.sleep(0.001)
"""


ONE_RUN = """
import sys
from datetime import date
from recon.config import load_config
from recon.pipeline import run_day
run_day(load_config(sys.argv[1]), date.fromisoformat(sys.argv[2]), [sys.argv[3]])
"""


class Runner:
    """A process that has imported recon (and run nothing yet, so it may fork safely) and forks
    one run per request, SIGKILLs it after the requested delay unless it finished first, and says
    which happened: each run starts in milliseconds instead of a fresh interpreter's second."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def run(self, config: ReconConfig, day: date, kill_after: float) -> tuple[str, float]:
        """Run the day; returns ("killed" or "finished", seconds it ran)."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{config.config_path} {day.isoformat()} {CORRECTED} {kill_after}\n")
        self.process.stdin.flush()
        outcome, code, seconds = self._line().split()
        assert outcome == "killed" or code == "0", f"the run exited with {code}"
        return outcome, float(seconds)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


State = dict[str, dict[str, str]]  # partner -> relative path -> sha256 of its committed version


def committed_state(layout: Layout) -> State:
    """What a reader of each partner sees: every file of its committed version, by content."""
    state: State = {}
    for partner in PARTNERS:
        version = committed_version(layout, partner)
        files = sorted(path for path in version.rglob("*") if path.is_file()) if version else []
        state[partner] = {
            path.relative_to(version).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in files
        }
    return state


def correct_first_file(config: ReconConfig) -> None:
    """stripe_us re-sends its first file with one gross amount changed (and net to match)."""
    path = config.partners["stripe_us"].source.path / "stripe_balance_2026-11-02.csv"
    text = path.read_text(encoding="utf-8")
    corrected = text.replace(",4999,174,4825,", ",4899,174,4725,", 1)
    assert corrected != text
    path.write_text(corrected, encoding="utf-8")


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, State, State]:
    """A reconciled copy before the corrected run (its folder and state) and the state after an
    uninterrupted corrected run."""
    before = tmp_path_factory.mktemp("before")
    config = copy_fixtures(before)
    for day in DAYS:
        assert all(result.ok for result in run_day(config, day))
    correct_first_file(config)
    old = committed_state(Layout(config.data_dir))
    after = tmp_path_factory.mktemp("after")
    shutil.copytree(before, after, dirs_exist_ok=True, symlinks=True)
    reference = load_config(after / "recon.yaml")
    assert all(result.ok for result in run_day(reference, DAYS[0], [CORRECTED]))
    new = committed_state(Layout(reference.data_dir))
    assert new["stripe_us"] != old["stripe_us"], "the corrected file must change the partner's state"
    return before, old, new


def _restore(before: Path, target: Path) -> ReconConfig:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(before, target, symlinks=True)
    return load_config(target / "recon.yaml")


@pytest.fixture
def runner() -> Iterator[Runner]:
    started = Runner()
    yield started
    started.close()


@pytest.mark.slow
def test_fifty_kills_leave_old_or_new_state_and_the_next_run_completes_it(
    states: tuple[Path, State, State], runner: Runner, tmp_path: Path
) -> None:
    before, old, new = states
    work = tmp_path / "work"
    outcome, duration = runner.run(_restore(before, work), DAYS[0], kill_after=300)
    assert outcome == "finished"
    draw = random.Random(20261203)
    attempts = killed = 0
    seen = {"old": 0, "new": 0}
    while killed < KILLS:
        assert attempts < 3 * KILLS, f"only {killed} of {attempts} runs were killed before they finished"
        attempts += 1
        config = _restore(before, work)
        outcome, _seconds = runner.run(config, DAYS[0], kill_after=draw.uniform(0, duration * 1.1))
        killed += outcome == "killed"
        layout = Layout(config.data_dir)
        after_kill = committed_state(layout)
        for partner in PARTNERS:
            assert after_kill[partner] in (old[partner], new[partner]), (
                f"kill {attempts}: {partner}'s committed state is neither the old nor the new one"
            )
        which = "old" if after_kill[CORRECTED] == old[CORRECTED] else "new"
        seen[which] += 1
        outcome, seconds = runner.run(config, DAYS[0], kill_after=300)
        assert outcome == "finished"
        duration = seconds if which == "old" else duration  # a whole run: kill points follow the machine
        assert committed_state(layout) == new, f"kill {attempts}: not what an uninterrupted run gives"
        drafts = {path.name for path in layout.versions("stripe_us").iterdir() if not path.is_symlink()}
        assert len(drafts) <= 2, f"kill {attempts}: left-over drafts {sorted(drafts)}"
    print(f"{attempts} runs (last {duration:.2f} s), {killed} killed mid-run; states after: {seen}")
    assert seen["old"] and seen["new"]


def test_a_killed_run_is_rolled_back_by_the_next_one(
    states: tuple[Path, State, State], runner: Runner, tmp_path: Path
) -> None:
    before, old, new = states
    config = _restore(before, tmp_path / "work")
    layout = Layout(config.data_dir)
    versions = layout.versions("stripe_us")
    committed = {path.name for path in versions.iterdir()}
    child = subprocess.Popen(
        [sys.executable, "-c", ONE_RUN, str(config.config_path), DAYS[0].isoformat(), CORRECTED],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    drafts: set[str] = set()
    while not drafts and time.monotonic() < deadline:  # kill it while it writes its draft
        drafts = {path.name for path in versions.iterdir()} - committed
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert drafts, "the run never started a draft"
    assert committed_state(layout)["stripe_us"] == old["stripe_us"]
    assert runner.run(config, DAYS[0], kill_after=300)[0] == "finished"
    assert not any((versions / name).exists() for name in drafts)
    assert committed_state(layout) == new
