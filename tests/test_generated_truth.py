"""The pipeline, run end to end on generated files, finds exactly the truth the generator wrote.

Several seeds at 100k records per side per partner-day, three partners (so every layout and every
rule set) over two days. Outputs are read from
<data_dir>/results/partner=<id>/date=<YYYY-MM-DD>/{matches,breaks}.parquet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from recon.config import load_config
from recon.pipeline import run_day
from recon.synth import generate

pytestmark = pytest.mark.slow

ROWS = 100_000
SEEDS = (1, 2, 3)
PAIR_BREAKS = ("amount_mismatch", "currency_mismatch", "date_mismatch")


@dataclass(frozen=True)
class Run:
    truth: pl.DataFrame
    matches: pl.DataFrame
    breaks: pl.DataFrame


def _results(data_dir: Path, table: str, partners: tuple[str, ...], dates: tuple) -> pl.DataFrame:
    paths = [
        data_dir / "results" / f"partner={partner}" / f"date={day}" / f"{table}.parquet"
        for partner in partners
        for day in dates
    ]
    return pl.concat([pl.read_parquet(path) for path in paths])


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{seed}" for seed in SEEDS])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    generated = generate(
        tmp_path_factory.mktemp("generated"), rows=ROWS, seed=request.param, partners=3, days=2
    )
    config = load_config(generated.config_path)
    for day in generated.dates:
        failed = [(result.partner, result.error) for result in run_day(config, day) if not result.ok]
        assert not failed
    args = (generated.partner_ids, generated.dates)
    return Run(
        truth=pl.read_parquet(generated.truth_path),
        matches=_results(config.data_dir, "matches", *args),
        breaks=_results(config.data_dir, "breaks", *args),
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
