"""Help and argument errors answer without loading the data libraries: a fresh interpreter runs
the real `recon` app and then reports which heavy packages it imported. (pydantic is not among
them: typer itself converts option values through it.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

RECON = Path(sys.executable).with_name("recon")
HEAVY = ("polars", "duckdb", "pyarrow", "dagster", "pandera", "boto3", "yaml")
PROBE = """
import json, sys
args, watched = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
from recon.cli import app
sys.argv = ["recon", *args]
try:
    app()
except SystemExit as exit:
    code = exit.code
heavy = sorted({name.split(".")[0] for name in sys.modules} & watched)
print(json.dumps({"code": code, "heavy": heavy}))
"""
QUICK = [
    pytest.param(["--help"], 0, id="help"),
    pytest.param(["run", "--help"], 0, id="run-help"),
    pytest.param(["run", "--date", "2026-11-31", "--config", "recon.yaml"], 2, id="impossible-date"),
    pytest.param(["run", "--date", "2026-11-02"], 2, id="no-configuration"),
    pytest.param(["run"], 2, id="missing-option"),
]


def _env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "RECON_CONFIG"}


@pytest.mark.parametrize(("args", "code"), QUICK)
def test_quick_answers_import_no_heavy_library(tmp_path: Path, args: list[str], code: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(),
        timeout=60,
        check=False,
    )
    report = json.loads(done.stdout.splitlines()[-1])
    assert report == {"code": code, "heavy": []}, done.stderr


def test_help_answers_within_a_second(tmp_path: Path) -> None:
    """Generous on a loaded machine: the best of three runs of the console script."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([str(RECON), "--help"], capture_output=True, cwd=tmp_path, env=_env(), check=True)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 1.0, timings
