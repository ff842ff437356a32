"""A wrong configuration is a ConfigError naming the file and the dotted key, never a traceback.

Each case takes the bundled fixtures/recon.yaml, breaks one thing, writes it to a temporary
file and loads it; the same files are then given to the real `recon` console script.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from fixture_copy import copy_fixtures

from recon.config import load_config
from recon.errors import ConfigError
from recon.sources import local_dates

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECON = Path(sys.executable).with_name("recon")
BASE: dict[str, Any] = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))

Change = Callable[[dict[str, Any]], None]


def _walk(raw: dict[str, Any], dotted: str) -> tuple[Any, str]:
    *parents, last = dotted.split(".")
    node: Any = raw
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, last


def _set(dotted: str, value: Any) -> Change:
    def change(raw: dict[str, Any]) -> None:
        node, last = _walk(raw, dotted)
        node[last] = value

    return change


def _drop(dotted: str) -> Change:
    def change(raw: dict[str, Any]) -> None:
        node, last = _walk(raw, dotted)
        del node[last]

    return change


def _rename_partner(old: str, new: str) -> Change:
    def change(raw: dict[str, Any]) -> None:
        raw["partners"][new] = raw["partners"].pop(old)

    return change


# (change, dotted key the message must name, words it must contain)
INVALID = [
    pytest.param(
        _drop("partners.stripe_us.format.columns.currency"),
        "partners.stripe_us.format.columns.currency",
        "required",
        id="missing-required-key",
    ),
    pytest.param(
        _set("partners.adyen_eu.format.delimiter", ";;"),
        "partners.adyen_eu.format.delimiter",
        "single character",
        id="two-character-delimiter",
    ),
    pytest.param(
        _set("partners.paypal_gb.format.amount_unit", 100),
        "partners.paypal_gb.format.amount_unit",
        "'major' or 'minor'",
        id="wrong-type",
    ),
    pytest.param(
        _set("partners.paypal_gb.format.thousand_separator", ","),
        "partners.paypal_gb.format.thousand_separator",
        "not permitted",
        id="unknown-key",
    ),
    pytest.param(
        _set("partners.stripe_us.rules.1.amount_tolerence", {"minor": 10}),
        "partners.stripe_us.rules.1.amount_tolerence",
        "not permitted",
        id="unknown-key-in-rule",
    ),
    pytest.param(
        _rename_partner("stripe_us", "Stripe-US"),
        "partners.Stripe-US.id",
        "a-z, 0-9",
        id="invalid-partner-id",
    ),
    pytest.param(
        _set("partners.paypal_gb.rules.1.amount_tolerance.percent", "0.00005"),
        "partners.paypal_gb.rules.1.amount_tolerance.percent",
        "finer than 0.0001",
        id="percent-finer-than-ppm",
    ),
    pytest.param(
        _set("partners.adyen_eu.breaks", {"grace_days": {"missing_in_ledgr": 2}}),
        "partners.adyen_eu.breaks.grace_days",
        "missing_in_ledgr",
        id="unknown-break-type-in-grace-days",
    ),
    pytest.param(
        _set("partners.adyen_eu.source.pattern", "sg_{day:%Y%m%d}.csv"),
        "partners.adyen_eu.source.pattern",
        "unknown field {day}",
        id="pattern-unknown-field",
    ),
    pytest.param(
        _set("partners.paypal_gb.source.pattern", "STL-{0}.tsv"),
        "partners.paypal_gb.source.pattern",
        "unknown field {0}",
        id="pattern-positional-field",
    ),
    pytest.param(
        _set("ledger.source.pattern", "ledger_{date:%Q}.csv"),
        "ledger.source.pattern",
        "date format '%Q' does not spell out a whole day",
        id="pattern-nonsense-date-format",
    ),
    pytest.param(
        _set("ledger.source.pattern", "ledger_{date:%Y-%m}.csv"),
        "ledger.source.pattern",
        "date format '%Y-%m' does not spell out a whole day",
        id="pattern-date-format-without-day",
    ),
    pytest.param(
        _set("partners.stripe_us.source.pattern", "stripe_{date:%Y%m%d.csv"),
        "partners.stripe_us.source.pattern",
        "write a literal brace as '{{' or '}}'",
        id="pattern-unbalanced-brace",
    ),
    pytest.param(
        _set("partners.stripe_us.source.pattern", "stripe_balance.csv"),
        "partners.stripe_us.source.pattern",
        "has no {date:FORMAT} field",
        id="pattern-without-date",
    ),
    pytest.param(
        _set("partners.stripe_us.source", {"kind": "s3", "bucket": "b", "pattern": "s_{date}.csv"}),
        "partners.stripe_us.source.pattern",
        "{date} needs a format",
        id="s3-pattern-without-date-format",
    ),
]


def _write(path: Path, change: Change) -> Path:
    raw = copy.deepcopy(BASE)
    change(raw)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_the_unchanged_configuration_loads(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path / "recon.yaml", lambda raw: None))
    assert sorted(config.partners) == ["adyen_eu", "paypal_gb", "stripe_us"]
    assert config.partner("paypal_gb").rules[1].amount_tolerance.parts_per_million == 10_000


@pytest.mark.parametrize(("change", "key", "words"), INVALID)
def test_invalid_value_names_file_and_dotted_key(
    tmp_path: Path, change: Change, key: str, words: str
) -> None:
    path = _write(tmp_path / "recon.yaml", change)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert f"{key}:" in message
    assert words in message
    assert "\n" not in message


def test_percent_with_whole_parts_per_million_is_accepted(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "recon.yaml", _set("partners.paypal_gb.rules.1.amount_tolerance.percent", "0.0125")
    )
    assert load_config(path).partner("paypal_gb").rules[1].amount_tolerance.parts_per_million == 125


def test_unparseable_yaml_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "recon.yaml"
    path.write_text("ledger:\n  source: {kind: local, path: ledger\npartners: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}:3:9: not valid YAML: expected ',' or '}}', but got ':'"


def test_a_directory_is_not_a_configuration(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert str(raised.value) == f"{tmp_path}: is a directory, not a configuration file"


def test_a_pattern_with_literal_braces_names_its_files_and_lists_its_dates(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    for day in ("20261102", "20261103", "2026110"):
        (tmp_path / "ledger" / f"l{{{day}}}.csv").write_text("", encoding="utf-8")
    path = _write(tmp_path / "braces.yaml", _set("ledger.source.pattern", "l{{{date:%Y%m%d}}}.csv"))
    source = load_config(path).ledger.source
    assert source.file_name(date(2026, 11, 2)) == "l{20261102}.csv"
    assert source.path == config.ledger.source.path
    assert local_dates(source) == [date(2026, 11, 2), date(2026, 11, 3)]


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent" / "recon.yaml"
    with pytest.raises(ConfigError, match="configuration file not found") as raised:
        load_config(path)
    assert str(raised.value).startswith(f"{path}: ")


def _bad_config(tmp_path: Path, case: str) -> tuple[Path, str]:
    """A broken configuration file and a fragment its one-line CLI error must contain."""
    if case == "unparseable":
        path = tmp_path / "recon.yaml"
        path.write_text("partners: [\n", encoding="utf-8")
        return path, "not valid YAML"
    if case == "missing":
        return tmp_path / "nowhere.yaml", "configuration file not found"
    if case == "directory":
        return tmp_path, "is a directory, not a configuration file"
    param = next(param for param in INVALID if param.id == case)
    change, key, _words = param.values
    return _write(tmp_path / "recon.yaml", change), f"{key}:"


CLI_CASES = ["unparseable", "missing", "directory", *(param.id for param in INVALID)]


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_prints_one_error_line_and_exits_2(tmp_path: Path, case: str) -> None:
    path, fragment = _bad_config(tmp_path, case)
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [
            str(RECON),
            "run",
            "--date",
            "2026-11-02",
            "--config",
            str(path),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {path}:")
    assert fragment in lines[0]
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "data").exists()
