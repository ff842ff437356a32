"""The open set read from a checkpoint plus later carry files is the open set a full rewrite
every day would give: checkpoints change what a day reads, never a result. The day's open tally,
kept up to date from the carry files alone, counts exactly that open set.

Each data set runs twice in order: with `engine.checkpoint_max_days: 1` (a full open index every
day, so each day reads only the previous day's checkpoint) and with the default (checkpoints only
when due, so days read the carry files since the last one).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from fixture_copy import copy_fixtures

from recon.config import Engine, ReconConfig, load_config
from recon.open_index import OpenSet, open_set_as_of, write_checkpoint
from recon.pipeline import Redelivery, run_day
from recon.sql import parquet, quote
from recon.store import Layout
from recon.synth import generate

FIXTURE_DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))


def _every_day(config: ReconConfig) -> ReconConfig:
    return config.model_copy(update={"engine": Engine(checkpoint_max_days=1)})


def _run(config: ReconConfig, days: tuple[date, ...], data_dir: Path) -> Layout:
    for day in days:
        results = run_day(config, day, data_dir=data_dir)
        assert results and all(result.ok for result in results), [result.error for result in results]
    return Layout(data_dir)


def _results_but_checkpoints(layout: Layout) -> dict[Path, bytes]:
    return {
        path.relative_to(layout.root): path.read_bytes()
        for path in sorted(layout.root.glob("partners/*/results/**/*.parquet"))
        if path.name != "open_index.parquet"
    }


def _open_set(layout: Layout, partner: str, day: date) -> pl.DataFrame:
    open_set = open_set_as_of(layout, partner, day)
    assert open_set is not None
    with duckdb.connect() as con:
        return con.sql(f"SELECT * FROM {open_set.sql()} ORDER BY side, sort_key").pl()


def _assert_same_open_sets(
    daily: Layout, due: Layout, partners: list[str], days: tuple[date, ...]
) -> list[tuple[str, date]]:
    """Compare the open set of every partner-day; returns the partner-days `due` read from deltas."""
    from_deltas = []
    for partner in partners:
        for day in days:
            assert daily.result("open_index", partner, day).is_file()
            if not due.result("open_index", partner, day).is_file():
                from_deltas.append((partner, day))
            assert _open_set(daily, partner, day).equals(_open_set(due, partner, day)), (partner, day)
            _assert_tally_counts_open_set(due, partner, day)
    return from_deltas


def _assert_tally_counts_open_set(layout: Layout, partner: str, day: date) -> None:
    open_set = open_set_as_of(layout, partner, day)
    assert open_set is not None
    with duckdb.connect() as con:
        counted = con.execute(
            f"""SELECT break_type, currency, first_seen, count(*), sum(abs(amount_minor))
            FROM {open_set.sql()} WHERE keyed GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
        tally = con.execute(
            f"SELECT * FROM {parquet(layout.result('open_tally', partner, day))} ORDER BY ALL"
        ).fetchall()
    assert tally == counted, (partner, day)


def test_fixture_results_do_not_depend_on_checkpoints(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    due = _run(config, FIXTURE_DAYS, tmp_path / "due")
    daily = _run(_every_day(config), FIXTURE_DAYS, tmp_path / "daily")
    assert _results_but_checkpoints(due) == _results_but_checkpoints(daily)
    from_deltas = _assert_same_open_sets(daily, due, sorted(config.partners), FIXTURE_DAYS)
    assert len(from_deltas) >= len(config.partners) * 2, from_deltas


@pytest.mark.slow
def test_generated_results_do_not_depend_on_checkpoints(tmp_path: Path) -> None:
    generated = generate(tmp_path / "generated", rows=5_000, seed=7, partners=2, days=5)
    config = load_config(generated.config_path)
    due = _run(config, generated.dates, tmp_path / "due")
    daily = _run(_every_day(config), generated.dates, tmp_path / "daily")
    assert _results_but_checkpoints(due) == _results_but_checkpoints(daily)
    from_deltas = _assert_same_open_sets(daily, due, sorted(config.partners), generated.dates)
    assert from_deltas


def test_rerun_without_a_due_checkpoint_removes_the_one_an_earlier_run_wrote(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    layout = _run(_every_day(config), FIXTURE_DAYS, tmp_path / "data")
    reference = _run(config, FIXTURE_DAYS, tmp_path / "reference")
    second = FIXTURE_DAYS[1]
    results = run_day(
        config, second, partner_ids=["adyen_eu"], data_dir=layout.root, redelivery=Redelivery(rerun=True)
    )
    assert [result.business_date for result in results if result.ok] == list(FIXTURE_DAYS[1:])
    for day in FIXTURE_DAYS:
        rerun = day >= second
        if rerun:
            assert not reference.result("open_index", "adyen_eu", day).is_file(), "due on the fixtures"
        assert layout.result("open_index", "adyen_eu", day).is_file() == (not rerun), day
        assert _open_set(layout, "adyen_eu", day).equals(_open_set(reference, "adyen_eu", day)), day


@pytest.mark.parametrize(("closed", "due"), [(0, False), (3, False), (4, True), (8, True)])
def test_a_checkpoint_is_due_once_half_the_entries_are_closed(tmp_path: Path, closed: int, due: bool) -> None:
    """Day one's 8 open entries (adyen_eu on the fixtures), then a day whose carry file closes
    `closed` of them: a checkpoint is due when the closed entries are at least the live ones."""
    config = copy_fixtures(tmp_path)
    layout = _run(config, FIXTURE_DAYS[:1], tmp_path / "data")
    first = layout.result("carry", "adyen_eu", FIXTURE_DAYS[0])
    closing = tmp_path / "closing.parquet"
    out = tmp_path / "open_index.parquet"
    with duckdb.connect() as con:
        assert con.execute(f"SELECT count(*) FROM {parquet(first)} WHERE open").fetchone() == (8,)
        con.execute(
            f"""COPY (SELECT * REPLACE (FALSE AS open, DATE '{FIXTURE_DAYS[1]}' AS carried_on)
            FROM {parquet(first)} ORDER BY side, record_id LIMIT {closed})
            TO {quote(str(closing))} (FORMAT parquet)"""
        )
        open_set = OpenSet(None, (first, closing))
        assert write_checkpoint(con, open_set, max_days=28, out=out) is due
        assert out.is_file() is due
        if due:
            written = con.sql(f"SELECT * FROM {parquet(out)}").pl()
            expected = con.sql(f"SELECT * FROM {open_set.sql()} ORDER BY side, sort_key").pl()
            assert written.height == 8 - closed
            assert written.equals(expected)
