"""A partner-day whose file could not be read does not pass as reconciled, and one partner's
failure of any kind never stops the others. Runs the real pipeline on a copy of the fixtures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fixture_copy import copy_fixtures

from recon.pipeline import run_day
from recon.store import Layout

D2, D3 = date(2026, 11, 2), date(2026, 11, 3)
STRIPE_FILE = Path("landing") / "stripe_us" / "stripe_balance_2026-11-02.csv"


def _garble_amounts(path: Path) -> int:
    """Make every data row's gross unreadable; returns the number of data rows."""
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    gross = header.split(",").index("gross")
    garbled = []
    for row in rows:
        cells = row.split(",")
        cells[gross] = "n/a"
        garbled.append(",".join(cells))
    path.write_text("\n".join([header, *garbled]) + "\n", encoding="utf-8")
    return len(rows)


def test_a_file_quarantined_whole_fails_the_partner_day_and_counts_against_the_match_rate(
    tmp_path: Path,
) -> None:
    config = copy_fixtures(tmp_path, stripe_us={"checks": {"max_quarantine_share": "1"}})
    rows = _garble_amounts(tmp_path / STRIPE_FILE)

    results = {result.partner: result for result in run_day(config, D2)}

    stripe = results["stripe_us"]
    assert stripe.error == (
        f"stripe_us 2026-11-02: {rows} of {rows} partner rows quarantined (100.0%), over the limit of "
        "100.0% (checks.max_quarantine_share); the reasons are in quarantine.parquet"
    )
    assert stripe.metrics is not None and stripe.metrics.balanced
    assert stripe.metrics.matched_pairs == 0 and stripe.metrics.match_rate == 0.0
    assert results["adyen_eu"].ok and results["paypal_gb"].ok


def test_the_quarantine_share_limit_is_the_partners(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path, adyen_eu={"checks": {"max_quarantine_share": "0.05"}})
    results = {result.partner: result for result in run_day(config, D2)}
    assert "1 of 15 partner rows quarantined (6.7%), over the limit of 5.0%" in str(results["adyen_eu"].error)
    assert results["stripe_us"].ok  # same share, the fixtures' limit of 20%
    assert results["adyen_eu"].metrics is not None
    assert results["adyen_eu"].metrics.match_rate < results["adyen_eu"].metrics.matched_pairs / 14


def test_an_unexpected_failure_of_one_partner_is_one_line_and_the_others_still_run(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    assert all(result.ok for result in run_day(config, D2))
    tally = Layout(config.data_dir).result("open_tally", "stripe_us", D2)
    tally.write_bytes(b"not parquet at all")  # what a crash or a bad disk leaves behind

    results = {result.partner: result for result in run_day(config, D3)}

    error = str(results["stripe_us"].error)
    assert error.startswith("stripe_us 2026-11-03: unexpected ")
    assert "\n" not in error and len(error) < 400
    assert results["adyen_eu"].ok and results["paypal_gb"].ok
