"""The installed `recon` command run as a user would: a subprocess with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RECON = Path(sys.executable).with_name("recon")


def recon_run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`recon <args>` in `cwd`, with this environment less RECON_CONFIG and FORCE_COLOR, plus
    NO_COLOR and `env`: plain output, and no configuration but the one the arguments name."""
    kept = {key: value for key, value in os.environ.items() if key not in ("RECON_CONFIG", "FORCE_COLOR")}
    environment = kept | {"NO_COLOR": "1"} | env
    return subprocess.run(
        [str(RECON), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=180,
        check=False,
    )
