"""Security closures: configuration YAML is loaded safely, no unsafe call exists in the code, no
secret from the configuration or the environment reaches an error, and references from partner
files cannot break out of the Markdown tables Dagster shows."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from fixture_copy import copy_fixtures
from ports import free_port
from recon_cli import recon_run

from dagster_project.metadata import largest_breaks
from recon.config import load_config
from recon.errors import ConfigError
from recon.metrics import unit_metrics
from recon.pipeline import run_day
from recon.store import Layout

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 2)
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
UNSAFE = re.compile(
    r"\bimport pickle\b|\bpickle\.|\bcPickle\b|\bmarshal\.loads\(|\beval\(|\bexec\(|shell=True|\bos\.system\("
    r"|\bos\.popen\(|yaml\.load\(|yaml\.unsafe_load|yaml\.full_load|yaml\.Loader\b|yaml\.UnsafeLoader"
    # XML only through defusedxml (no DTDs, no entity expansion, no external entities)
    r"|^\s*(from|import) (xml\.(etree|dom|sax|parsers)|lxml|xmltodict)\b"
)


def test_no_unsafe_calls_in_the_code() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("recon", "dagster_project")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if UNSAFE.search(line)
    ]
    assert found == []


def test_the_unsafe_pattern_catches_what_it_is_for() -> None:
    for line in (
        "import pickle",
        "yaml.load(text)",
        "subprocess.run(x, shell=True)",
        "eval(code)",
        "os.system(c)",
        "import xml.etree.ElementTree as ET",
        "from xml.dom import minidom",
        "from lxml import etree",
    ):
        assert UNSAFE.search(line), line
    assert not UNSAFE.search("con.execute(query)")
    assert not UNSAFE.search("from defusedxml.ElementTree import fromstring")


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
    ],
)
def test_python_tags_in_the_configuration_are_a_clean_error(tmp_path: Path, tagged: str) -> None:
    copy_fixtures(tmp_path)
    marker = tmp_path / "ran"
    config = tmp_path / "recon.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "data_dir: data", f"data_dir: {tagged.format(marker=marker)}"
    )
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    message = str(error.value)
    assert message.startswith(f"{config}:") and "not valid YAML" in message and "\n" not in message
    assert not marker.exists()


def config_with(tmp_path: Path, change: dict) -> Path:
    copy_fixtures(tmp_path)
    path = tmp_path / "recon.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        *parents, key = dotted.split(".")
        node = raw
        for part in parents:
            node = node.setdefault(part, {})
        node[key] = value
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change",
    [
        {
            "partners.stripe_us.source": {
                "kind": "s3",
                "bucket": 7,
                "pattern": "x_{date:%Y%m%d}.csv",
                "aws_secret_access_key": SECRET,
            }
        },
        {"partners.stripe_us.source.password": SECRET, "partners.stripe_us.source.pattern": "no date"},
        {"partners.stripe_us.source.endpoint_url": {"token": SECRET}},
        {"engine.memory_limit": {"api_token": SECRET}},
        {"partners.stripe_us.checks.max_quarantine_share": SECRET},
    ],
    ids=[
        "s3-extra-key",
        "password-beside-bad-pattern",
        "token-in-a-mapping",
        "token-as-limit",
        "secret-as-number",
    ],
)
def test_configuration_errors_never_echo_secrets(tmp_path: Path, change: dict) -> None:
    path = config_with(tmp_path, change)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert SECRET not in str(error.value)
    assert str(error.value).startswith(f"{path}: ")


def s3_config(tmp_path: Path, endpoint_url: str) -> Path:
    """The fixtures with stripe_us read from an S3 endpoint."""
    source = {"kind": "s3", "bucket": "settlements", "pattern": "stripe_{date:%Y-%m-%d}.csv"}
    return config_with(tmp_path, {"partners.stripe_us.source": {**source, "endpoint_url": endpoint_url}})


def failing_run(config: Path, *args: str, **env: str) -> str:
    """`recon run` of the fixtures' day, expected to fail; its whole output."""
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", **env}
    done = recon_run(
        "run", "--date", DAY.isoformat(), "--config", str(config), *args, cwd=config.parent,
        AWS_MAX_ATTEMPTS="1", AWS_DEFAULT_REGION="us-east-1", **env,
    )  # fmt: skip
    assert done.returncode == 1
    return done.stdout + done.stderr


def test_secrets_in_the_environment_are_not_printed(tmp_path: Path) -> None:
    """A run that fails (an S3 endpoint that refuses connections, a missing file) with AWS keys in
    the environment prints neither key."""
    config = s3_config(tmp_path, f"http://127.0.0.1:{free_port()}")
    (tmp_path / "landing" / "paypal_gb" / "STL-20261102.tsv").unlink()
    output = failing_run(
        config,
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_SESSION_TOKEN=SECRET + "TOKEN",
    )
    assert "failed: stripe_us 2026-11-02: s3://settlements/stripe_2026-11-02.csv:" in output
    assert "failed: paypal_gb 2026-11-02:" in output
    assert SECRET not in output and "AKIAIOSFODNN7EXAMPLE" not in output and "Traceback" not in output


def test_credentials_in_an_endpoint_url_are_not_printed(tmp_path: Path) -> None:
    """A password holding '/' makes the URL invalid (its port unreadable): the configuration is
    refused in one line naming the key, never the value, and nothing is tried."""
    config = s3_config(tmp_path, f"http://ops:{SECRET}@127.0.0.1:{free_port()}")
    done = recon_run("run", "--date", DAY.isoformat(), "--config", str(config), cwd=config.parent)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "endpoint_url" in output and "valid port" in output
    assert SECRET not in output and "Traceback" not in output


HOSTILE_REFERENCE = (
    "a | b | c [x](http://e.test) <img src=x onerror=alert(1)> *bold* _it_ `code` \\ www.e.test"
)


def test_escape_sequences_in_a_landing_folder_name_never_reach_the_terminal(tmp_path: Path) -> None:
    """A folder named with an escape sequence (a colour and a title change) is printed with its
    control characters shown as \\xNN when its file is missing."""
    config = copy_fixtures(tmp_path)
    hostile = tmp_path / "landing" / "paypal\x1b[31m\x1b]0;owned\x07"
    (tmp_path / "landing" / "paypal_gb").rename(hostile)
    (hostile / "STL-20261102.tsv").unlink()
    raw = yaml.safe_load(config.config_path.read_text(encoding="utf-8"))
    raw["partners"]["paypal_gb"]["source"]["path"] = str(hostile)
    config.config_path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    output = failing_run(config.config_path)
    assert "\x1b" not in output and "\x07" not in output
    assert "paypal\\x1b[31m\\x1b]0;owned\\x07" in output


def unescape(cell: str) -> str:
    return re.sub(r"\\(.)", r"\1", cell.replace("↵", "\n"))


def cells(row: str) -> list[str]:
    """A Markdown table row split at its unescaped pipes."""
    assert row.startswith("| ") and row.endswith(" |")
    return re.split(r"(?<!\\) \| ", row[2:-2])


def test_largest_open_breaks_markdown_keeps_references_in_their_cells(tmp_path: Path) -> None:
    """Through a real run: two unmatched partner rows carry hostile references (one with a newline,
    in a layout that allows two-line records); the Markdown table has one line per break, each of
    the same cells, and each reference cell reads back as the reference."""
    path = config_with(tmp_path, {"partners.stripe_us.format.max_lines_per_record": 2})
    landing = tmp_path / "landing" / "stripe_us" / "stripe_balance_2026-11-02.csv"
    text = landing.read_text(encoding="utf-8")
    multi_line = "first line\nsecond | [line](javascript:x)"
    text = text.replace(",ORD-50010,", f',"{HOSTILE_REFERENCE}",').replace(",ORD-50013,", f',"{multi_line}",')
    landing.write_text(text, encoding="utf-8")
    config = load_config(path)
    results = run_day(config, DAY, ["stripe_us"])
    assert all(result.ok for result in results), [result.error for result in results]
    markdown = largest_breaks(unit_metrics(Layout(config.data_dir), config.partner("stripe_us"), DAY))
    header, rule, *rows = markdown.split("\n")
    width = len(cells(header))
    assert rule == "|" + "---|" * width
    references = []
    for row in rows:
        row_cells = cells(row)
        assert len(row_cells) == width, row
        references.append(unescape(row_cells[cells(header).index("reference")]))
        assert not re.search(r"(?<!\\)[<>\[\]`*_|]", " ".join(row_cells)), row
    assert HOSTILE_REFERENCE in references and multi_line in references
