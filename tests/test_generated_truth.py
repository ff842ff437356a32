"""The pipeline, run end to end on generated files, finds exactly the truth the generator wrote.

Several seeds at 100k records per side per partner-day, three partners (so every layout and every
rule set) over two days, run in order so that the first day's open items are carried into the
second; and a small set over four days, quick enough for every run, whose cross-day shapes (a
reference first seen on an earlier day, a tie that a later arrival breaks) recur day after day.
Matches are read from <data_dir>/partners/<id>/results/date=<YYYY-MM-DD>/matches.parquet; breaks
are the open set as of the last day (recon.open_breaks), where each record's latest decision stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from recon.config import load_config
from recon.open_breaks import open_breaks
from recon.pipeline import run_day
from recon.store import Layout
from recon.synth import generate

SETS = [
    *(pytest.param((100_000, seed, 2), id=f"seed{seed}", marks=pytest.mark.slow) for seed in (1, 2, 3)),
    pytest.param((3_000, 5, 4), id="four_days"),
]
PAIR_BREAKS = ("amount_mismatch", "currency_mismatch", "date_mismatch")


@dataclass(frozen=True)
class Run:
    truth: pl.DataFrame
    matches: pl.DataFrame
    breaks: pl.DataFrame


def _results(data_dir: Path, table: str, partners: tuple[str, ...], dates: tuple) -> pl.DataFrame:
    paths = [Layout(data_dir).result(table, partner, day) for partner in partners for day in dates]
    return pl.concat([pl.read_parquet(path) for path in paths])


@pytest.fixture(scope="module", params=SETS)
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    rows, seed, days = request.param
    generated = generate(tmp_path_factory.mktemp("generated"), rows=rows, seed=seed, partners=3, days=days)
    config = load_config(generated.config_path)
    for day in generated.dates:
        failed = [(result.partner, result.error) for result in run_day(config, day) if not result.ok]
        assert not failed
    layout = Layout(config.data_dir)
    with duckdb.connect() as con:
        breaks = pl.concat(
            open_breaks(con, layout, partner, generated.dates[-1], config.partner(partner).breaks)
            for partner in generated.partner_ids
        )
    return Run(
        truth=pl.read_parquet(generated.truth_path),
        matches=_results(config.data_dir, "matches", generated.partner_ids, generated.dates),
        breaks=breaks,
    )


def _sample(rows: set, limit: int = 5) -> list:
    return sorted(rows)[:limit]


def test_every_match_is_an_intended_pair_found_by_its_rule(run: Run) -> None:
    intended = set(
        run.truth.filter((pl.col("side") == "partner") & (pl.col("expected") == "matched"))
        .select("record_id", "counterpart_record_id", "expected_rule")
        .iter_rows()
    )
    found = set(run.matches.select("partner_record_id", "ledger_record_id", "rule").iter_rows())
    assert len(found) == run.matches.height
    assert not found - intended, f"wrong pairs: {_sample(found - intended)}"
    assert not intended - found, f"intended pairs not found: {_sample(intended - found)}"


def test_every_break_has_its_intended_type(run: Run) -> None:
    own = run.breaks.select("record_id", "break_type")
    counterparts = run.breaks.filter(pl.col("break_type").is_in(PAIR_BREAKS)).select(
        record_id="ledger_record_id", break_type="break_type"
    )
    found = pl.concat([own, counterparts])
    assert found.get_column("record_id").is_unique().all()
    intended = set(
        run.truth.filter(pl.col("expected") != "matched").select("record_id", "expected").iter_rows()
    )
    found_set = set(found.iter_rows())
    assert not found_set - intended, f"unexpected breaks: {_sample(found_set - intended)}"
    assert not intended - found_set, f"intended breaks not found: {_sample(intended - found_set)}"


def test_mismatch_breaks_name_the_intended_counterpart(run: Run) -> None:
    intended = set(
        run.truth.filter((pl.col("side") == "partner") & pl.col("expected").is_in(PAIR_BREAKS))
        .select("record_id", "counterpart_record_id")
        .iter_rows()
    )
    found = set(
        run.breaks.filter(pl.col("break_type").is_in(PAIR_BREAKS))
        .select("partner_record_id", "ledger_record_id")
        .iter_rows()
    )
    assert found == intended


def test_ties_broken_a_day_later_are_matched_on_that_day(run: Run) -> None:
    """Each late-key record after the first day matches its tie's first twin, and the tie's
    partner record its second twin, both in the matches of the day the late record arrived."""
    late = run.truth.filter((pl.col("scenario") == "late_key") & (pl.col("expected") == "matched"))
    assert late.height > 0
    tie_pairs = run.truth.filter(
        (pl.col("scenario") == "ambiguous")
        & (pl.col("side") == "partner")
        & (pl.col("expected") == "matched")
    )
    assert tie_pairs.height == late.height
    found = run.matches.select("business_date", "partner_record_id", "ledger_record_id", "rule").iter_rows()
    on_day = {(partner, ledger): (day, rule) for day, partner, ledger, rule in found}
    for frame, rule in ((late, "exact_key"), (tie_pairs, "amount_date")):
        for record, counterpart, day in frame.select(
            "record_id", "counterpart_record_id", "business_date"
        ).iter_rows():
            arrived = day if rule == "exact_key" else day + timedelta(days=1)
            assert on_day[(record, counterpart)] == (arrived, rule)
