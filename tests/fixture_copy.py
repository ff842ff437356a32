"""A private copy of the bundled fixtures, with its own config, that a test may change."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from recon.config import ReconConfig, load_config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def copy_fixtures(target: Path, **partner_overrides: dict[str, Any]) -> ReconConfig:
    """Copy landing files, ledger exports and recon.yaml into `target` (data_dir: target/data).

    `partner_overrides` maps a partner id to keys merged into its configuration, e.g.
    `adyen_eu={"breaks": {"grace_days": {"missing_at_partner": 1}}}`.
    """
    for folder in ("landing", "ledger"):
        shutil.copytree(FIXTURES / folder, target / folder)
    raw = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))
    raw["data_dir"] = "data"
    for partner_id, override in partner_overrides.items():
        raw["partners"][partner_id].update(override)
    config_path = target / "recon.yaml"
    config_path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_config(config_path)
