"""A quiet day must not stop the partner: business calendars, "no activity" files, skipped days.

Small files written per date into tmp_path and run through the real pipeline and the real CLI.
2026-03-06 is a Friday, 03-07/08 the weekend, 03-09 a Monday.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import yaml
from typer.testing import CliRunner

from recon.cli import app
from recon.config import ReconConfig, load_config
from recon.pipeline import run_day
from recon.store import Layout

FRI, SAT, SUN, MON, TUE = (date(2026, 3, day) for day in (6, 7, 8, 9, 10))
HEADER = {
    "partner": "id,reference,currency,amount,value_date",
    "ledger": "id,partner,reference,currency,amount,value_date",
}


def _config(root: Path, ledger: dict | None = None, **partner: object) -> ReconConfig:
    columns = {"reference": "reference", "currency": "currency", "amount": "amount"}
    dates = {"booking_date": "value_date", "value_date": "value_date"}
    raw = {
        "data_dir": "data",
        "ledger": {
            "source": {"kind": "local", "path": "ledger", "pattern": "ledger_{date:%Y-%m-%d}.csv"},
            "format": {"columns": {"entry_id": "id", "partner": "partner", **columns, **dates}},
            **(ledger or {}),
        },
        "partners": {
            "acme": {
                "source": {"kind": "local", "path": "landing", "pattern": "acme_{date:%Y-%m-%d}.csv"},
                "format": {"columns": {"partner_reference": "id", **columns, **dates}},
                "rules": [{"name": "exact_key", "match_on": "reference", "date_window": {"days_after": 5}}],
                **partner,
            }
        },
    }
    path = root / "recon.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return load_config(path)


def _write(root: Path, side: str, day: date, refs: list[str]) -> None:
    folder, name = ("landing", f"acme_{day}.csv") if side == "partner" else ("ledger", f"ledger_{day}.csv")
    partner_column = "" if side == "partner" else "acme,"
    lines = [HEADER[side]] + [f"{ref}-{side[0]},{partner_column}{ref},EUR,10.00,{day}" for ref in refs]
    (root / folder).mkdir(exist_ok=True)
    (root / folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _breaks(layout: Layout, day: date) -> pl.DataFrame:
    return pl.read_parquet(layout.result("breaks", "acme", day))


def _matched_refs(layout: Layout, day: date) -> list[str]:
    return sorted(pl.read_parquet(layout.result("matches", "acme", day))["reference"].to_list())


def test_a_weekday_partner_runs_monday_after_friday_and_reconciles_the_weekend_bookings(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, ledger={"empty_file": "no_activity"}, calendar={"days": "weekdays"})
    _write(tmp_path, "partner", FRI, ["F1"])
    _write(tmp_path, "ledger", FRI, ["F1"])
    _write(tmp_path, "ledger", SAT, ["W1"])  # booked on Saturday, settled by the partner on Monday
    _write(tmp_path, "ledger", SUN, [])
    _write(tmp_path, "partner", MON, ["W1", "M1"])
    _write(tmp_path, "ledger", MON, ["M1"])
    assert all(result.ok for result in run_day(config, FRI))
    assert run_day(config, SAT) == []  # not the partner's business day: nothing is run
    assert run_day(config, SUN) == []

    (monday,) = run_day(config, MON)

    assert monday.ok, monday.error
    assert _matched_refs(Layout(config.data_dir), MON) == ["M1", "W1"]
    assert _breaks(Layout(config.data_dir), MON).is_empty()


def test_an_explicit_run_on_a_holiday_fails_in_one_line(tmp_path: Path) -> None:
    config = _config(tmp_path, calendar={"days": "every_day", "holidays": ["2026-03-07"]})
    (result,) = run_day(config, SAT, ["acme"])
    assert result.error == "acme 2026-03-07: not a business day of the partner (every day less 1 holiday(s))"


def test_a_header_only_file_is_an_empty_day_where_configured(tmp_path: Path) -> None:
    _write(tmp_path, "partner", FRI, ["F1"])
    _write(tmp_path, "ledger", FRI, ["F1"])
    _write(tmp_path, "partner", SAT, [])
    _write(tmp_path, "ledger", SAT, ["L1"])
    _write(tmp_path, "partner", SUN, ["L1"])
    _write(tmp_path, "ledger", SUN, [])
    refused = _config(tmp_path)
    assert all(result.ok for result in run_day(refused, FRI))
    (saturday,) = run_day(refused, SAT)
    assert "no data rows (header only)" in str(saturday.error)

    accepted = _config(tmp_path, ledger={"empty_file": "no_activity"}, empty_file="no_activity")
    (saturday,) = run_day(accepted, SAT)
    assert saturday.ok, saturday.error
    assert _breaks(Layout(accepted.data_dir), SAT)["break_type"].to_list() == ["missing_at_partner"]
    (sunday,) = run_day(accepted, SUN)
    assert sunday.ok, sunday.error
    assert _matched_refs(Layout(accepted.data_dir), SUN) == ["L1"]


def test_a_day_that_never_comes_blocks_until_skipped_then_its_bookings_roll_forward(tmp_path: Path) -> None:
    weekdays = {"days": "weekdays"}
    config = _config(tmp_path, ledger={"calendar": weekdays}, calendar=weekdays)
    _write(tmp_path, "partner", FRI, ["F1"])
    _write(tmp_path, "ledger", FRI, ["F1"])
    _write(tmp_path, "ledger", MON, ["M1"])  # Monday's partner file never arrives
    _write(tmp_path, "partner", TUE, ["M1", "T1"])
    _write(tmp_path, "ledger", TUE, ["T1"])
    for day in (FRI, MON):
        run_day(config, day)
    (blocked,) = run_day(config, TUE)
    assert blocked.error is not None
    assert "previous business date 2026-03-09 has not been reconciled" in blocked.error
    assert "recon skip --partner acme --date 2026-03-09" in blocked.error

    runner = CliRunner()
    args = ["skip", "--config", str(config.config_path), "--partner", "acme", "--date", "2026-03-09"]
    refused = runner.invoke(app, [*args, "--reason", "partner confirmed no file", "--actor", ""])
    assert refused.exit_code == 2
    skipped = runner.invoke(app, [*args, "--reason", "partner confirmed no file", "--actor", "ana"])
    assert skipped.exit_code == 0, skipped.output
    record = json.loads(Layout(config.data_dir).skip_record("acme", MON).read_text(encoding="utf-8"))
    assert (record["actor"], record["reason"]) == ("ana", "partner confirmed no file")
    again = runner.invoke(app, [*args, "--reason", "twice", "--actor", "ana"])
    assert again.exit_code == 1 and "already skipped by ana" in again.output

    (tuesday,) = run_day(config, TUE)
    assert tuesday.ok, tuesday.error
    assert _matched_refs(Layout(config.data_dir), TUE) == ["M1", "T1"]  # Monday's booking rolled forward


def test_reconciling_a_skipped_day_after_all_removes_the_skip_and_recomputes_later_days(
    tmp_path: Path,
) -> None:
    weekdays = {"days": "weekdays"}
    config = _config(tmp_path, ledger={"calendar": weekdays}, calendar=weekdays)
    layout = Layout(config.data_dir)
    _write(tmp_path, "partner", FRI, ["F1"])
    _write(tmp_path, "ledger", FRI, ["F1"])
    _write(tmp_path, "ledger", MON, ["M1"])
    _write(tmp_path, "partner", TUE, ["T1"])
    _write(tmp_path, "ledger", TUE, ["T1"])
    run_day(config, FRI)
    runner = CliRunner()
    skip = ["skip", "-c", str(config.config_path), "-p", "acme", "-d", "2026-03-09", "--actor", "ana"]
    assert runner.invoke(app, [*skip, "--reason", "no file"]).exit_code == 0
    assert run_day(config, TUE)[0].ok
    assert _breaks(layout, TUE)["reference"].to_list() == ["M1"]  # carried into Tuesday, unsettled

    _write(tmp_path, "partner", MON, ["M1"])  # the file turned up after all
    results = run_day(config, MON)

    assert [(result.business_date, result.ok) for result in results] == [(MON, True), (TUE, True)]
    assert not layout.skip_record("acme", MON).exists()
    assert _matched_refs(layout, MON) == ["M1"]
    assert _breaks(layout, TUE).is_empty()


def test_a_reconciled_day_cannot_be_skipped(tmp_path: Path) -> None:
    config = _config(tmp_path)
    _write(tmp_path, "partner", FRI, ["F1"])
    _write(tmp_path, "ledger", FRI, ["F1"])
    run_day(config, FRI)
    result = CliRunner().invoke(
        app,
        [
            "skip",
            "-c",
            str(config.config_path),
            "-p",
            "acme",
            "-d",
            "2026-03-06",
            "--reason",
            "x",
            "--actor",
            "a",
        ],
    )
    assert result.exit_code == 1
    assert "acme 2026-03-06: already reconciled" in result.output
