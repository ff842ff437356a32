"""Write a generated set: recon.yaml, partner files, ledger files and truth.parquet.

Files are written one business date at a time so memory holds one day's records, never the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from recon.synth.config_file import LEDGER_DIR, LEDGER_PATTERN, write_config
from recon.synth.items import Unit, build_items
from recon.synth.layouts import LEDGER_LAYOUT
from recon.synth.partners import GeneratedPartner
from recon.synth.plan import CasePlan, plan_cases
from recon.synth.records import ledger_records, partner_records, shuffled
from recon.synth.truth import day_truth, with_late_arrivals, with_record_ids

TRUTH_FILE = "truth.parquet"
CONFIG_FILE = "recon.yaml"
_IDENTITY = ["partner", "item", "member", "scenario"]


@dataclass(frozen=True)
class GeneratedSet:
    """What `generate` wrote. `rows` is the number of records per side per partner per day."""

    config_path: Path
    truth_path: Path
    dates: tuple[date, ...]
    partner_ids: tuple[str, ...]
    rows: int
    partner_records: int
    ledger_records: int
    plan: CasePlan


def _write_day(
    out_dir: Path,
    plan: CasePlan,
    partners: list[GeneratedPartner],
    business_date: date,
    day: int,
    days: int,
    seed: int,
) -> pl.LazyFrame:
    """Write one date's files; return its truth as a plan over the few columns kept per record."""
    partner_truth, ledger_parts = [], []
    for partner in partners:
        unit = Unit(partner, business_date, day, days, seed)
        items = build_items(plan, unit)
        records = shuffled(partner_records(items, plan, unit), seed, "partner", partner.number, day)
        path = out_dir / partner.directory / partner.pattern.format(date=business_date)
        path.parent.mkdir(parents=True, exist_ok=True)
        partner.layout.write(records, path)
        partner_truth.append(with_record_ids(records.select(_IDENTITY), path.name))
        ledger_parts.append(ledger_records(items, plan, unit))
        del items, records
    ledger = shuffled(pl.concat(ledger_parts), seed, "ledger", day)
    path = out_dir / LEDGER_DIR / LEDGER_PATTERN.format(date=business_date)
    path.parent.mkdir(parents=True, exist_ok=True)
    LEDGER_LAYOUT.write(ledger, path)
    return day_truth(
        pl.concat(partner_truth), with_record_ids(ledger.select(_IDENTITY), path.name), business_date
    )


def generate(
    out_dir: Path,
    rows: int,
    seed: int,
    partners: int = 1,
    days: int = 1,
    start_date: date = date(2026, 11, 2),
) -> GeneratedSet:
    """Write `days` consecutive business dates for `partners` partners, `rows` records per side each."""
    if partners < 1 or days < 1:
        raise ValueError(f"partners and days must be at least 1, got {partners} and {days}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = plan_cases(rows)
    generated = [GeneratedPartner(number) for number in range(1, partners + 1)]
    config_path = out_dir / CONFIG_FILE
    write_config(config_path, generated, rows, seed)
    dates = tuple(start_date + timedelta(days=day) for day in range(days))
    days_truth = [
        _write_day(out_dir, plan, generated, business_date, day, days, seed)
        for day, business_date in enumerate(dates)
    ]
    truth = with_late_arrivals(pl.concat(days_truth), plan, start_date)
    truth_path = out_dir / TRUTH_FILE
    truth.sink_parquet(truth_path)
    sides = pl.scan_parquet(truth_path).group_by("side").len().collect()
    counts = dict(zip(sides.get_column("side"), sides.get_column("len"), strict=True))
    return GeneratedSet(
        config_path=config_path,
        truth_path=truth_path,
        dates=dates,
        partner_ids=tuple(partner.id for partner in generated),
        rows=rows,
        partner_records=counts["partner"],
        ledger_records=counts["ledger"],
        plan=plan,
    )
