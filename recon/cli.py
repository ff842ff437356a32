"""The `recon` command line: run a day, run the bundled demo, generate test data.

Every failure a user can cause ends with one line on stderr and a non-zero exit code, never a
traceback.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from recon.config import load_config
from recon.errors import ReconError
from recon.pipeline import UnitResult, run_day
from recon.sources import local_dates
from recon.summary import summary_table

BUNDLED_CONFIG = Path(__file__).resolve().parent.parent / "fixtures" / "recon.yaml"

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False)
out = Console()
if not out.is_terminal:
    out = Console(width=160)
err = Console(stderr=True)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="configuration YAML")]
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="output folder (default: data_dir of the config)")
]


def _parse_date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date in YYYY-MM-DD form") from None


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def _run_days(config_path: Path, days: list[date], partners: list[str] | None, data_dir: Path | None) -> None:
    """Run each day in order, print the summary, and exit non-zero if any unit failed."""
    try:
        config = load_config(config_path)
        results: list[UnitResult] = []
        with err.status("reconciling") as status:
            for day in days:
                results += run_day(config, day, partners, data_dir, progress=status.update)
    except ReconError as exc:
        raise _fail(str(exc)) from None
    out.print(summary_table(results))
    failed = [result for result in results if not result.ok]
    for result in failed:
        err.print(
            f"[bold red]failed:[/] {result.partner} {result.business_date}: {escape(str(result.error))}",
            soft_wrap=True,
        )
    if failed:
        raise typer.Exit(code=1)


@app.command()
def run(
    business_date: Annotated[str, typer.Option("--date", "-d", help="business date, YYYY-MM-DD")],
    partner: Annotated[
        list[str] | None, typer.Option("--partner", "-p", help="partner id (repeatable)")
    ] = None,
    config: ConfigOption = BUNDLED_CONFIG,
    data_dir: DataDirOption = None,
) -> None:
    """Reconcile one business date for every partner, or only those given."""
    _run_days(config, [_parse_date(business_date)], partner, data_dir)


@app.command()
def demo(config: ConfigOption = BUNDLED_CONFIG, data_dir: DataDirOption = None) -> None:
    """Reconcile every bundled partner for every business date that has a ledger export."""
    try:
        days = local_dates(load_config(config).ledger.source)
    except ReconError as exc:
        raise _fail(str(exc)) from None
    if not days:
        raise _fail(f"no ledger exports found for {config}")
    _run_days(config, days, None, data_dir)


@app.command()
def generate(
    rows: Annotated[int, typer.Option(min=1, help="records per side per partner per day")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write into")],
    seed: Annotated[int, typer.Option(help="random seed: same seed, same bytes")] = 1,
    partners: Annotated[int, typer.Option(min=1)] = 1,
    days: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Write realistic settlement files, ledger exports, a config and the ground truth."""
    from recon.synth import generate as generate_set

    with err.status(f"generating {rows:,} rows per side"):
        generated = generate_set(out_dir, rows=rows, seed=seed, partners=partners, days=days)
    out.print(
        f"wrote {generated.partner_records:,} partner and {generated.ledger_records:,} ledger records "
        f"for {len(generated.partner_ids)} partner(s) over {len(generated.dates)} day(s); "
        f"config {generated.config_path}, truth {generated.truth_path}"
    )
