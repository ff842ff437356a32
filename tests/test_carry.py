"""Carried open items meet the records of later days exactly as they would on one day.

Small partner and ledger files, written per business day into tmp_path, run in order through
the real pipeline. One key rule (equal reference, amount exact, partner value date 0-31 days
after the ledger's) and one no-key rule (same currency, amount within 5 cents, 0-2 days after). Each
shape is also run with all its rows on the first day, which must give the same pairs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from recon.config import ReconConfig, load_config
from recon.open_breaks import open_breaks
from recon.pipeline import run_day
from recon.store import Layout

PARTNER = "acme"
D1, D2 = date(2026, 3, 2), date(2026, 3, 3)
CONFIG = {
    "data_dir": "data",
    "ledger": {
        "source": {"kind": "local", "path": "ledger", "pattern": "ledger_{date:%Y-%m-%d}.csv"},
        "format": {
            "columns": {
                "entry_id": "id",
                "partner": "partner",
                "reference": "reference",
                "currency": "currency",
                "amount": "amount",
                "booking_date": "value_date",
                "value_date": "value_date",
            }
        },
    },
    "partners": {
        PARTNER: {
            "source": {"kind": "local", "path": "landing", "pattern": "acme_{date:%Y-%m-%d}.csv"},
            "format": {
                "columns": {
                    "partner_reference": "id",
                    "reference": "reference",
                    "currency": "currency",
                    "amount": "amount",
                    "booking_date": "value_date",
                    "value_date": "value_date",
                }
            },
            "rules": [
                {"name": "exact_key", "match_on": "reference", "date_window": {"days_after": 31}},
                {
                    "name": "amount_date",
                    "match_on": "none",
                    "amount_tolerance": {"minor": 5},
                    "date_window": {"days_after": 2},
                },
            ],
        }
    },
}

# (side, name, reference, amount, value date): the name becomes the partner id or ledger entry id.
Row = tuple[str, str, str, str, str]


def _with_settled_pair(day: date, rows: list[Row]) -> list[Row]:
    """The rows and, first, a pair that settles by key on its own, so no file of a day is empty."""
    settled = [(side, "S", f"S-{day}", "7.77", f"{day:%m-%d}") for side in ("partner", "ledger")]
    return settled + rows


def _write_day(root: Path, day: date, rows: list[Row]) -> None:
    """The partner file and the ledger export of one business day, one line per row."""
    files = (("partner", "landing", f"acme_{day}.csv"), ("ledger", "ledger", f"ledger_{day}.csv"))
    for side, folder, name in files:
        lines = ["id,partner,reference,currency,amount,value_date"] + [
            f"{record},{PARTNER},{reference},EUR,{amount},2026-{value_date}"
            for row_side, record, reference, amount, value_date in _with_settled_pair(day, rows)
            if row_side == side
        ]
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _reconcile(root: Path, days: dict[date, list[Row]]) -> ReconConfig:
    root.mkdir(parents=True)
    (root / "recon.yaml").write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    config = load_config(root / "recon.yaml")
    for day, rows in days.items():
        _write_day(root, day, rows)
        results = run_day(config, day)
        assert all(result.ok for result in results), [result.error for result in results]
    return config


def _names(root: Path, days: dict[date, list[Row]]) -> dict[str, str]:
    """Record id (file:line) of each named row."""
    names = {}
    for day, rows in days.items():
        for side in ("partner", "ledger"):
            file_name = f"acme_{day}.csv" if side == "partner" else f"ledger_{day}.csv"
            named = [row[1] for row in _with_settled_pair(day, rows) if row[0] == side]
            names |= {f"{file_name}:{line}": name for line, name in enumerate(named, start=2)}
    return names


def _outcome(root: Path, days: dict[date, list[Row]]) -> tuple[set, list]:
    """Every match of every day by the rows' names (the settled pairs left out), and the breaks
    open after the last day."""
    config = _reconcile(root, days)
    layout, names = Layout(config.data_dir), _names(root, days)
    matches = pl.concat(pl.read_parquet(layout.result("matches", PARTNER, day)) for day in days)
    columns = ("partner_record_id", "ledger_record_id", "rule")
    pairs = {
        (names[partner], names[ledger], rule)
        for partner, ledger, rule in matches.select(columns).iter_rows()
        if names[partner] != "S"
    }
    with duckdb.connect() as con:
        still_open = open_breaks(con, layout, PARTNER, max(days), config.partner(PARTNER).breaks)
    breaks = sorted(
        (names[record], kind, detail and _named(detail, names))
        for record, kind, detail in still_open.select("record_id", "break_type", "detail").iter_rows()
    )
    return pairs, breaks


def _named(detail: str, names: dict[str, str]) -> str:
    """A break's detail with the record ids it lists replaced by the rows' names."""
    text, _, records = detail.rpartition(" ")
    return f"{text} " + ",".join(names[record] for record in records.split(","))


def _on_one_day(days: dict[date, list[Row]]) -> dict[date, list[Row]]:
    return {D1: [row for rows in days.values() for row in rows]}


SHAPES = {
    "partner_shares_its_reference_with_a_key_pair": {
        D1: [("ledger", "L1", "X-1", "100.00", "03-02")],
        D2: [
            ("partner", "P2", "R-1", "100.00", "03-03"),
            ("partner", "P3", "R-1", "555.00", "03-03"),
            ("ledger", "L3", "R-1", "555.00", "03-03"),
        ],
    },
    "ledger_shares_its_reference_with_a_key_pair": {
        D1: [("partner", "P1", "X-1", "100.00", "03-04")],
        D2: [
            ("ledger", "L2", "R-1", "100.00", "03-03"),
            ("ledger", "L3", "R-1", "555.00", "03-03"),
            ("partner", "P3", "R-1", "555.00", "03-03"),
        ],
    },
    "same_reference_counterpart_taken_by_a_carried_record": {
        D1: [("ledger", "L1", "X-1", "100.00", "03-02"), ("partner", "P0", "R-1", "555.00", "03-02")],
        D2: [("partner", "P2", "R-1", "100.00", "03-03"), ("ledger", "L3", "R-1", "555.00", "03-02")],
    },
}
EXPECTED = {
    "partner_shares_its_reference_with_a_key_pair": {("P3", "L3", "exact_key"), ("P2", "L1", "amount_date")},
    "ledger_shares_its_reference_with_a_key_pair": {("P3", "L3", "exact_key"), ("P1", "L2", "amount_date")},
    "same_reference_counterpart_taken_by_a_carried_record": {
        ("P0", "L3", "exact_key"),
        ("P2", "L1", "amount_date"),
    },
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_carried_item_pairs_without_key_with_a_record_whose_reference_repeats(
    tmp_path: Path, shape: str
) -> None:
    days = SHAPES[shape]
    assert _outcome(tmp_path / "one_day", _on_one_day(days)) == (EXPECTED[shape], [])
    assert _outcome(tmp_path / "two_days", days) == (EXPECTED[shape], [])


TIE = {
    D1: [
        ("partner", "P1", "", "100.00", "03-02"),
        ("ledger", "La", "A-1", "100.00", "03-02"),
        ("ledger", "Lb", "B-1", "100.00", "03-02"),
    ],
    D2: [("partner", "P2", "A-1", "100.00", "03-12")],
}


def test_a_carried_tie_is_decided_again_when_one_of_its_candidates_matches_later(tmp_path: Path) -> None:
    first_day = _outcome(tmp_path / "first_day", {D1: TIE[D1]})
    assert first_day == (
        set(),
        [
            ("La", "ambiguous", "equally good candidates: P1"),
            ("Lb", "ambiguous", "equally good candidates: P1"),
            ("P1", "ambiguous", "equally good candidates: La,Lb"),
        ],
    )
    expected = {("P2", "La", "exact_key"), ("P1", "Lb", "amount_date")}
    assert _outcome(tmp_path / "one_day", _on_one_day(TIE)) == (expected, [])
    assert _outcome(tmp_path / "two_days", TIE) == (expected, [])


def test_a_record_freed_from_a_tie_pairs_with_a_candidate_it_never_tied_with(tmp_path: Path) -> None:
    """P1 ties La and Lb on day one; Lc, a cent further, is left without a partner. On day two
    La and Lb match by key, so P1's best remaining candidate is Lc."""
    days = {
        D1: [
            *TIE[D1],
            ("ledger", "Lc", "C-1", "100.01", "03-02"),
        ],
        D2: [("partner", "P2", "A-1", "100.00", "03-12"), ("partner", "Pb", "B-1", "100.00", "03-12")],
    }
    expected = {("P2", "La", "exact_key"), ("Pb", "Lb", "exact_key"), ("P1", "Lc", "amount_date")}
    assert _outcome(tmp_path / "one_day", _on_one_day(days)) == (expected, [])
    assert _outcome(tmp_path / "two_days", days) == (expected, [])
