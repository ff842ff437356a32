"""The `recon` command line: run a day, run the bundled demo, generate test data.

Every failure a user can cause ends with one line on stderr and a non-zero exit code, never a
traceback: 1 when a partner-day failed, 2 when the command cannot start (arguments,
configuration, data directory). The heavy libraries load inside the commands, so that help and
argument errors answer at once.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from recon.errors import ReconError
from recon.printable import printable

if TYPE_CHECKING:
    from recon.config import ReconConfig

BUNDLED_CONFIG = Path(__file__).resolve().parent.parent / "fixtures" / "recon.yaml"
FAILED, USAGE = 1, 2
HELP = """Reconcile partner settlement files against the ledger.

Exit codes: 0 when every partner-day reconciled, 1 when any failed, 2 when the command cannot
start (arguments, configuration, data directory)."""
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help=HELP,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", metavar="PATH", envvar="RECON_CONFIG", show_envvar=True, help="configuration YAML"
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", metavar="PATH", help="output folder (default: data_dir of the config)"),
]


def say(line: str) -> None:
    """One line on stderr, never read as markup, its control characters shown as \\xNN: file
    names, keys and values may hold escape sequences."""
    typer.echo(printable(line), err=True)


def tell(line: str) -> None:
    """One line on stdout, as `say` makes it safe."""
    typer.echo(printable(line))


def usage_error(message: str) -> typer.Exit:
    """Print `error: <message>` and return the exit for a command that cannot start."""
    say(f"error: {message}")
    return typer.Exit(code=USAGE)


def parse_date(text: str) -> date:
    """A business date in YYYY-MM-DD form; exits 2 naming what is wrong with it."""
    found = ISO_DATE.match(text)
    if not found:
        raise usage_error(f"--date: '{text}' is not a date in YYYY-MM-DD form")
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError as exc:
        raise usage_error(f"--date: {text} is not a valid date: {exc}") from None


def load_or_exit(config_path: Path | None, partners: list[str] | None = None) -> ReconConfig:
    """The validated configuration, with every partner asked for known; exits 2 otherwise."""
    if config_path is None:
        raise usage_error(
            "no configuration: pass --config PATH or set RECON_CONFIG (`recon demo` runs the bundled one)"
        )
    from recon.config import load_config

    try:
        config = load_config(config_path)
        for partner_id in partners or ():
            config.partner(partner_id)
    except ReconError as exc:
        raise usage_error(str(exc)) from None
    return config


def data_dir_or_exit(config: ReconConfig, override: Path | None) -> Path:
    """The data directory, created if needed; exits 2 naming the flag or key it came from."""
    path = override or config.data_dir
    where = "--data-dir" if override else f"{config.config_path}: data_dir"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((part for part in (path, *path.parents) if part.exists() and not part.is_dir()), None)
        reason = f"{blocker} is a file, not a folder" if blocker else exc.strerror
        raise usage_error(f"{where}: cannot use {path} as the data directory: {reason}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise usage_error(f"{where}: cannot use {path} as the data directory: not writable")
    return path


def _run_days(
    config: ReconConfig,
    days: list[date],
    partners: list[str] | None,
    data_dir: Path,
    rerun: bool = False,
    accept_duplicate: bool = False,
) -> None:
    """Run each day in order, print the summary and what was done with re-delivered files, and
    exit 1 if any partner-day failed."""
    from rich.console import Console

    from recon.pipeline import Redelivery, UnitResult, run_day
    from recon.summary import summary_table

    plain = {"markup": False, "emoji": False, "highlight": False}
    out = Console(**plain)
    if not out.is_terminal:
        out = Console(width=160, **plain)
    results: list[UnitResult] = []
    redelivery = Redelivery(rerun=rerun, accept_duplicate=accept_duplicate)
    with Console(stderr=True, **plain).status("reconciling") as status:
        for day in days:
            results += run_day(config, day, partners, data_dir, status.update, redelivery)
    out.print(summary_table(results))
    for note in (note for result in results for note in result.notes):
        tell(note)
    failed = [result for result in results if not result.ok]
    for result in failed:
        unit = f"{result.partner} {result.business_date}"
        error = str(result.error)
        say(f"failed: {error}" if error.startswith(unit) else f"failed: {unit}: {error}")
    if failed:
        raise typer.Exit(code=FAILED)


@app.command()
def run(
    business_date: Annotated[str, typer.Option("--date", "-d", metavar="YYYY-MM-DD", help="business date")],
    partner: Annotated[
        list[str] | None, typer.Option("--partner", "-p", metavar="ID", help="partner id (repeatable)")
    ] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    rerun: Annotated[
        bool, typer.Option("--rerun", help="reconcile again even when the day's files are unchanged")
    ] = False,
    accept_duplicate_file: Annotated[
        bool,
        typer.Option(
            "--accept-duplicate-file", help="ingest a file with the same bytes as another day's file"
        ),
    ] = False,
) -> None:
    """Reconcile one business date for every partner, or only those given. A day already
    reconciled from the same files is left as it is (--rerun to reconcile it again)."""
    day = parse_date(business_date)
    loaded = load_or_exit(config, partner)
    _run_days(loaded, [day], partner, data_dir_or_exit(loaded, data_dir), rerun, accept_duplicate_file)


@app.command()
def demo(
    config: Annotated[
        Path, typer.Option("--config", "-c", metavar="PATH", help="configuration YAML")
    ] = BUNDLED_CONFIG,
    data_dir: DataDirOption = None,
) -> None:
    """Reconcile every partner for every business date that has a ledger export (bundled fixtures
    unless --config is given)."""
    from recon.sources import local_dates

    loaded = load_or_exit(config)
    try:
        days = local_dates(loaded.ledger.source)
    except ReconError as exc:
        raise usage_error(f"{config}: {exc}") from None
    if not days:
        raise usage_error(f"{config}: no ledger exports found in {loaded.ledger.source.path}")
    _run_days(loaded, days, None, data_dir_or_exit(loaded, data_dir))


ActorOption = Annotated[
    str | None,
    typer.Option("--actor", metavar="NAME", envvar="RECON_ACTOR", show_envvar=True, help="who acts"),
]


def actor_or_exit(actor: str | None) -> str:
    """The person acting; a decision is never recorded without one (exits 2)."""
    if actor is None or not actor.strip():
        raise usage_error("no actor: pass --actor NAME or set RECON_ACTOR")
    return actor.strip()


@app.command()
def skip(
    business_date: Annotated[str, typer.Option("--date", "-d", metavar="YYYY-MM-DD", help="business date")],
    partner: Annotated[str, typer.Option("--partner", "-p", metavar="ID", help="partner id")],
    reason: Annotated[str, typer.Option("--reason", help="why the day will never come")],
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Close a business day whose file will never come, so that later days run; recorded with who,
    when and why. Reconciling the day after all removes the record."""
    from recon.skips import skip_day
    from recon.store import Layout

    day = parse_date(business_date)
    who = actor_or_exit(actor)
    if not reason.strip():
        raise usage_error("--reason: say why the day will never come")
    loaded = load_or_exit(config, [partner])
    layout = Layout(data_dir_or_exit(loaded, data_dir))
    try:
        record = skip_day(loaded, layout, partner, day, reason, who)
    except ReconError as exc:
        say(f"failed: {exc}")
        raise typer.Exit(code=FAILED) from None
    tell(f"{partner} {day}: skipped by {who} ({reason.strip()}); recorded in {record}")


LANDING_COLUMNS = ("seen_at", "side", "partner", "date", "status", "rows", "size", "sha256", "file", "detail")


@app.command()
def landing(
    partner: Annotated[str | None, typer.Option("--partner", "-p", metavar="ID", help="partner id")] = None,
    business_date: Annotated[
        str | None, typer.Option("--date", "-d", metavar="YYYY-MM-DD", help="business date")
    ] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """List the landing registry: every file seen, one line each, with what was done with it."""
    from recon.landing_registry import LandingRegistry, detail

    day = parse_date(business_date) if business_date is not None else None
    loaded = load_or_exit(config, [partner] if partner else None)
    registry = LandingRegistry(data_dir or loaded.data_dir)
    try:
        entries = registry.entries(partner, day)
    except ReconError as exc:
        say(f"failed: {exc}")
        raise typer.Exit(code=FAILED) from None
    if not entries:
        tell(f"no files registered in {registry.path}")
        return
    rows = [
        (
            entry.seen_at,
            entry.side,
            entry.partner,
            entry.business_date,
            entry.status,
            "" if entry.data_rows is None else str(entry.data_rows),
            str(entry.size),
            entry.sha256[:12],
            entry.origin,
            detail(entry),
        )
        for entry in entries
    ]
    rows = [tuple(printable(cell) for cell in row) for row in rows]  # widths of what is printed
    widths = [max(len(row[i]) for row in [LANDING_COLUMNS, *rows]) for i in range(len(LANDING_COLUMNS))]
    for row in [LANDING_COLUMNS, *rows]:
        tell("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@app.command()
def generate(
    rows: Annotated[int, typer.Option(min=1, help="records per side per partner per day")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write into")],
    seed: Annotated[int, typer.Option(help="random seed: same seed, same bytes")] = 1,
    partners: Annotated[int, typer.Option(min=1)] = 1,
    days: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Write realistic settlement files, ledger exports, a config and the ground truth."""
    from rich.console import Console

    from recon.synth import generate as generate_set

    with Console(stderr=True).status(f"generating {rows:,} rows per side"):
        generated = generate_set(out_dir, rows=rows, seed=seed, partners=partners, days=days)
    typer.echo(
        f"wrote {generated.partner_records:,} partner and {generated.ledger_records:,} ledger records "
        f"for {len(generated.partner_ids)} partner(s) over {len(generated.dates)} day(s); "
        f"config {generated.config_path}, truth {generated.truth_path}"
    )
