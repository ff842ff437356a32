"""Record ids are unique for every file a landing folder can hold: with dated folders and one file
name, each day's records are told apart by the file's path relative to the landing folder."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
from fixture_copy import FIXTURES, copy_fixtures

from recon.pipeline import run_day
from recon.sources import local_dates
from recon.store import Layout

DAYS = (date(2026, 11, 2), date(2026, 11, 3))


def test_dated_folders_with_one_file_name_give_unique_ids(tmp_path: Path) -> None:
    source = {"kind": "local", "path": "landing/dated", "pattern": "{date:%Y%m%d}/report.csv"}
    config = copy_fixtures(tmp_path, stripe_us={"source": source})
    dated = tmp_path / "landing" / "dated"
    for day in DAYS:
        folder = dated / f"{day:%Y%m%d}"
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / "landing" / "stripe_us" / f"stripe_balance_{day}.csv", folder / "report.csv")

    results = [result for day in DAYS for result in run_day(config, day, ["stripe_us"])]

    assert [result.error for result in results] == [None, None]
    layout = Layout(config.data_dir)
    for day in DAYS:
        records = pl.read_parquet(layout.canonical("partner", "stripe_us", day))
        assert records["source_file"].unique().to_list() == [f"{day:%Y%m%d}/report.csv"]
        assert records["record_id"].str.starts_with(f"{day:%Y%m%d}/report.csv:").all()
    ledger = pl.read_parquet(layout.canonical("ledger", "stripe_us", DAYS[0]))
    assert ledger["source_file"].unique().to_list() == ["ledger_2026-11-02.csv"]
    assert local_dates(config.partner("stripe_us").source) == list(DAYS)
