"""The same inputs give the same bytes: two data directories, a run in another process with another
hash seed, and a re-run in place all publish byte-identical result files.

Covers the bundled fixtures (three partners over three days, so carried items take part) and a
generated set of 20,000 rows per side for two partners.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from recon.config import ReconConfig, load_config
from recon.pipeline import PUBLISHED, Redelivery, run_day
from recon.store import Layout
from recon.synth import generate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECON = Path(sys.executable).with_name("recon")
TABLES = (*PUBLISHED, "summary")
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))


def _run(config: ReconConfig, days: tuple[date, ...], data_dir: Path) -> Layout:
    for day in days:
        results = run_day(config, day, data_dir=data_dir)
        assert results and all(result.ok for result in results), [result.error for result in results]
    return Layout(data_dir)


def _run_in_child(data_dir: Path, hash_seed: str, *args: str) -> Layout:
    """`recon <args> --data-dir <data_dir>` in a new process whose str hashes differ from ours."""
    done = subprocess.run(
        [str(RECON), *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        cwd=data_dir.parent,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return Layout(data_dir)


def _snapshot(layout: Layout, partners: list[str], days: tuple[date, ...]) -> dict[Path, bytes]:
    """Every published result file by its path: each partner-day's tables, and the checkpoints
    of the open set (open_index) on the days that wrote one."""
    for partner in partners:
        for day in days:
            for table in TABLES:
                assert layout.result(table, partner, day).is_file(), (partner, day, table)
    published = sorted(layout.root.glob("partners/*/results/**/*.parquet"))
    return {path.relative_to(layout.root): path.read_bytes() for path in published}


def _differences(left: dict, right: dict) -> list[tuple]:
    assert left.keys() == right.keys()
    return [key for key in left if left[key] != right[key]]


def test_fixtures_give_identical_bytes_in_two_data_dirs_and_on_rerun(tmp_path: Path) -> None:
    config = load_config(FIXTURES / "recon.yaml")
    partners = sorted(config.partners)
    first = _snapshot(_run(config, DAYS, tmp_path / "a"), partners, DAYS)

    other = _run_in_child(tmp_path / "b", "12345", "demo")
    assert _differences(first, _snapshot(other, partners, DAYS)) == []

    rerun = run_day(config, DAYS[0], data_dir=tmp_path / "a", redelivery=Redelivery(rerun=True))
    assert [(result.partner, result.business_date) for result in rerun if result.ok] == [
        (partner, day) for partner in partners for day in DAYS
    ]
    assert _differences(first, _snapshot(Layout(tmp_path / "a"), partners, DAYS)) == []


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(out, rows=20_000, seed=5, partners=2, days=1)
    return out / "recon.yaml"


def test_generated_data_gives_identical_bytes_in_two_data_dirs_and_on_rerun(generated: Path) -> None:
    config = load_config(generated)
    partners = sorted(config.partners)
    day = (DAYS[0],)
    assert len(partners) == 2
    first = _snapshot(_run(config, day, generated.parent / "a"), partners, day)

    other = _run_in_child(
        generated.parent / "b", "777", "run", "--date", day[0].isoformat(), "-c", str(generated)
    )
    assert _differences(first, _snapshot(other, partners, day)) == []

    again = _run(config, day, generated.parent / "a")
    assert _differences(first, _snapshot(again, partners, day)) == []
