"""The landing registry and the re-delivery rules: real files in tmp dirs, the real SQLite registry,
and `recon run` / `recon landing` as child processes where exit codes and lines matter."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
from fixture_copy import copy_fixtures
from recon_cli import RECON, recon_run

from recon.config import ReconConfig
from recon.landing_registry import Entry, LandingRegistry, arrival_of, registry_path
from recon.pipeline import Redelivery, run_day
from recon.store import Layout

D2, D3, D4 = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)
STRIPE = "landing/stripe_us/stripe_balance_{day}.csv"
ADYEN = "landing/adyen_eu/settlement_detail_report_{day:%Y%m%d}.csv"


def recon(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return recon_run(*args, "--config", str(root / "recon.yaml"), cwd=root)


def entries(config: ReconConfig, partner: str, side: str = "partner") -> list[Entry]:
    return [entry for entry in LandingRegistry(config.data_dir).entries(partner) if entry.side == side]


def outcomes(config: ReconConfig, partner: str, side: str = "partner") -> list[tuple[str, str]]:
    return [(entry.business_date, entry.status) for entry in entries(config, partner, side)]


def stamps(layout: Layout, partner: str, day: date) -> dict[str, int]:
    """Modification times of every canonical and result file of a partner-day."""
    folders = [layout.result("carry", partner, day).parent] + [
        layout.canonical(side, partner, day).parent for side in ("partner", "ledger")
    ]
    return {str(path): path.stat().st_mtime_ns for folder in folders for path in sorted(folder.iterdir())}


def run_in_order(config: ReconConfig, partner: str, days: tuple[date, ...]) -> None:
    for day in days:
        assert all(result.ok for result in run_day(config, day, [partner])), day


def test_the_same_bytes_again_are_recognised_and_nothing_is_rerun(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    first = recon(tmp_path, "run", "--date", str(D2), "--partner", "stripe_us")
    assert first.returncode == 0, first.stderr
    layout = Layout(config.data_dir)
    before = stamps(layout, "stripe_us", D2)

    again = recon(tmp_path, "run", "--date", str(D2), "--partner", "stripe_us")

    assert again.returncode == 0, again.stderr
    origin = tmp_path / STRIPE.format(day=D2)
    assert (
        again.stdout.splitlines()[-1] == f"stripe_us {D2}: unchanged re-delivery of {origin}; nothing to do"
    )
    assert "stripe_us" in again.stdout.split("Reconciliation summary")[1], "the day still shows its figures"
    assert stamps(layout, "stripe_us", D2) == before
    assert outcomes(config, "stripe_us") == [(str(D2), "ingested"), (str(D2), "unchanged")]
    assert outcomes(config, "stripe_us", "ledger") == [(str(D2), "ingested"), (str(D2), "unchanged")]
    first_row, second_row = entries(config, "stripe_us")
    assert second_row.first_seen_at == first_row.first_seen_at < second_row.seen_at
    assert second_row.ingested_at is None and first_row.ingested_at is not None
    assert first_row.sha256 == arrival_of(origin, "partner", "stripe_us", D2, origin.name).sha256


def test_rerun_reconciles_an_unchanged_day_again(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    run_in_order(config, "stripe_us", (D2, D3))
    layout = Layout(config.data_dir)
    before = {day: stamps(layout, "stripe_us", day) for day in (D2, D3)}

    forced = recon(tmp_path, "run", "--date", str(D2), "--partner", "stripe_us", "--rerun")

    assert forced.returncode == 0, forced.stderr
    assert "nothing to do" not in forced.stdout
    for day in (D2, D3):
        after = stamps(layout, "stripe_us", day)
        changed = {path for path in after if after[path] != before[day].get(path)}
        assert any("/results/" in path for path in changed), f"{day} was not reconciled again"
    assert outcomes(config, "stripe_us")[-1] == (str(D2), "reingested")


def test_a_corrected_file_reruns_its_day_and_the_later_days_and_is_recorded(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    run_in_order(config, "adyen_eu", (D2, D3, D4))
    layout = Layout(config.data_dir)
    before = {day: stamps(layout, "adyen_eu", day) for day in (D2, D3, D4)}
    settlement = tmp_path / ADYEN.format(day=D2)
    old_sha = entries(config, "adyen_eu")[0].sha256
    lines = settlement.read_text(encoding="utf-8").splitlines(keepends=True)
    settlement.write_text("".join(lines[:-1]), encoding="utf-8")  # the partner withdrew the last row

    corrected = recon(tmp_path, "run", "--date", str(D2), "--partner", "adyen_eu")

    assert corrected.returncode == 0, corrected.stderr
    new = entries(config, "adyen_eu")[-1]
    assert (new.business_date, new.status, new.replaces_sha256) == (str(D2), "correction", old_sha)
    assert new.sha256 != old_sha and new.ingested_at is not None
    notes = [line for line in corrected.stdout.splitlines() if "correction" in line]
    assert notes == [
        f"adyen_eu {D2}: correction: {settlement} (sha256 {new.sha256[:12]}) replaces the partner file "
        f"ingested {entries(config, 'adyen_eu')[0].ingested_at} (sha256 {old_sha[:12]}); reconciling {D2} "
        f"and 2 later day(s) to {D4} again"
    ]
    for day in (D2, D3, D4):
        result_files = {path for path in before[day] if "/results/" in path}
        assert all(stamps(layout, "adyen_eu", day)[path] != before[day][path] for path in result_files), day
    assert outcomes(config, "adyen_eu", "ledger")[-1] == (str(D2), "unchanged"), "the ledger was not re-read"


def test_yesterdays_file_under_todays_name_is_refused_and_the_other_partners_run(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    assert all(result.ok for result in run_day(config, D2))
    today = tmp_path / STRIPE.format(day=D3)
    yesterday = tmp_path / STRIPE.format(day=D2)
    today.write_bytes(yesterday.read_bytes())

    refused = recon(tmp_path, "run", "--date", str(D3))

    assert refused.returncode == 1
    sha = entries(config, "stripe_us")[0].sha256
    assert refused.stderr.splitlines()[-1] == (
        f"failed: stripe_us {D3}: refused {today}: same bytes (sha256 {sha[:12]}) as the partner file of "
        f"{D2} ({yesterday}); nothing ingested. If it is truly the same business, run again with "
        "--accept-duplicate-file"
    )
    layout = Layout(config.data_dir)
    assert not layout.canonical("partner", "stripe_us", D3).exists()
    assert not layout.result("carry", "stripe_us", D3).exists()
    for partner in ("adyen_eu", "paypal_gb"):
        assert layout.result("summary", partner, D3).is_file(), partner
    last = entries(config, "stripe_us")[-1]
    assert (last.status, last.duplicate_of, last.ingested_at) == ("refused_duplicate", str(D2), None)

    accepted = recon(tmp_path, "run", "--date", str(D3), "--partner", "stripe_us", "--accept-duplicate-file")

    assert accepted.returncode == 0, accepted.stderr
    assert (
        f"stripe_us {D3}: accepted {today} with the same bytes as the partner file of {D2}" in accepted.stdout
    )
    assert layout.result("carry", "stripe_us", D3).is_file()
    assert outcomes(config, "stripe_us")[-1] == (str(D3), "accepted_duplicate")
    assert recon(tmp_path, "run", "--date", str(D3), "--partner", "stripe_us").returncode == 0, (
        "now unchanged"
    )
    assert outcomes(config, "stripe_us")[-1] == (str(D3), "unchanged")


def _withdraw_a_stripe_ledger_entry(root: Path, day: date) -> None:
    export = root / "ledger" / f"ledger_{day}.csv"
    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    withdrawn = next(line for line in lines if ",STRIPE," in line)
    export.write_text("".join(line for line in lines if line != withdrawn), encoding="utf-8")


def test_a_day_whose_ledger_was_corrected_by_a_run_that_then_failed_is_never_left_stale(
    tmp_path: Path,
) -> None:
    config = copy_fixtures(tmp_path / "a")
    run_in_order(config, "stripe_us", (D2, D3))
    _withdraw_a_stripe_ledger_entry(tmp_path / "a", D3)
    settlement = tmp_path / "a" / STRIPE.format(day=D3)
    original = settlement.read_bytes()
    settlement.write_bytes((tmp_path / "a" / STRIPE.format(day=D2)).read_bytes())
    (refused,) = run_day(config, D3, ["stripe_us"])  # reads the corrected ledger, refuses the partner file
    assert "refused" in str(refused.error)
    settlement.write_bytes(original)

    (rerun,) = run_day(config, D3, ["stripe_us"])

    assert rerun.ok, rerun.error
    (note,) = rerun.notes  # the failed run published nothing: the correction is this run's
    assert note.startswith("stripe_us 2026-11-03: correction: ") and "replaces the ledger file" in note
    reference = copy_fixtures(tmp_path / "b")
    _withdraw_a_stripe_ledger_entry(tmp_path / "b", D3)
    run_in_order(reference, "stripe_us", (D2, D3))
    for table in ("matches", "breaks", "carry"):
        expected = pl.read_parquet(Layout(reference.data_dir).result(table, "stripe_us", D3))
        assert pl.read_parquet(Layout(config.data_dir).result(table, "stripe_us", D3)).equals(expected), table


def test_a_ledger_export_with_another_days_bytes_fails_the_day_in_one_line(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    run_in_order(config, "stripe_us", (D2,))
    export = tmp_path / "ledger" / f"ledger_{D3}.csv"
    export.write_bytes((tmp_path / "ledger" / f"ledger_{D2}.csv").read_bytes())

    (result,) = run_day(config, D3, ["stripe_us"])

    assert result.error is not None
    assert result.error.startswith(f"ledger: refused {export}: same bytes (sha256 ")
    assert f"as the ledger file of {D2} ({tmp_path / 'ledger' / f'ledger_{D2}.csv'})" in result.error
    assert not Layout(config.data_dir).canonical("ledger", "stripe_us", D3).exists()


def test_header_only_files_on_consecutive_days_are_not_duplicates(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path, stripe_us={"empty_file": "no_activity"})
    header = (tmp_path / STRIPE.format(day=D2)).read_text(encoding="utf-8").splitlines()[0] + "\n"
    for day in (D2, D3):
        (tmp_path / STRIPE.format(day=day)).write_text(header, encoding="utf-8")

    run_in_order(config, "stripe_us", (D2, D3))

    assert outcomes(config, "stripe_us") == [(str(D2), "ingested"), (str(D3), "ingested")]
    assert [entry.data_rows for entry in entries(config, "stripe_us")] == [0, 0]
    assert len({entry.sha256 for entry in entries(config, "stripe_us")}) == 1


def test_a_file_that_cannot_be_read_is_recorded_as_failed_and_read_again_when_fixed(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    settlement = tmp_path / STRIPE.format(day=D2)
    good = settlement.read_bytes()
    settlement.write_bytes(good + b'txn_x,2026-11-02,"never closed\n')
    (broken,) = run_day(config, D2, ["stripe_us"])
    assert not broken.ok
    settlement.write_bytes(good)
    (fixed,) = run_day(config, D2, ["stripe_us"])
    assert fixed.ok, fixed.error
    assert outcomes(config, "stripe_us") == [(str(D2), "failed"), (str(D2), "ingested")]


def test_runs_of_two_partners_at_once_register_every_file_without_loss(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    runs = [
        subprocess.Popen(
            [
                str(RECON),
                "run",
                "--date",
                str(D2),
                "--partner",
                partner,
                "--config",
                str(tmp_path / "recon.yaml"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        for partner in ("adyen_eu", "stripe_us")
    ]
    for run in runs:
        _out, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
    seen = sorted(
        (entry.side, entry.partner, entry.status) for entry in LandingRegistry(config.data_dir).entries()
    )
    assert seen == [
        (side, partner, "ingested") for side in ("ledger", "partner") for partner in ("adyen_eu", "stripe_us")
    ]
    with sqlite3.connect(registry_path(config.data_dir)) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


STRESS = """
import sys
from datetime import date, timedelta
from pathlib import Path
from recon.landing_registry import LandingRegistry, arrival_of
root, partner, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
registry = LandingRegistry(root)
sample = root / f"{partner}.csv"
for n in range(count):
    sample.write_text(f"h\\n{partner},{n}\\n")
    seen = arrival_of(sample, "partner", partner, date(2026, 1, 1) + timedelta(days=n), sample.name)
    registry.ingested(registry.decide(seen, skip_unchanged=True, accept_duplicate=False), 1)
"""


def test_concurrent_writers_lose_no_rows(tmp_path: Path) -> None:
    partners, count = ("p1", "p2", "p3", "p4"), 40
    writers = [
        subprocess.Popen([sys.executable, "-c", STRESS, str(tmp_path), partner, str(count)])
        for partner in partners
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0] * len(partners)
    rows = LandingRegistry(tmp_path).entries()
    assert len(rows) == len(partners) * count
    for partner in partners:
        mine = [row for row in rows if row.partner == partner]
        assert [row.status for row in mine] == ["ingested"] * count
        assert all(row.ingested_at is not None for row in mine)


def test_recon_landing_lists_the_registry_filtered_by_partner_and_date(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    empty = recon(tmp_path, "landing")
    assert (empty.returncode, empty.stdout.strip()) == (
        0,
        f"no files registered in {registry_path(config.data_dir)}",
    )
    run_in_order(config, "stripe_us", (D2, D3))
    run_in_order(config, "adyen_eu", (D2,))

    everything = recon(tmp_path, "landing")
    one_day = recon(tmp_path, "landing", "--partner", "stripe_us", "--date", str(D3))

    assert everything.returncode == one_day.returncode == 0, everything.stderr + one_day.stderr
    assert len(everything.stdout.splitlines()) == 1 + 6
    header, *rows = one_day.stdout.splitlines()
    assert header.split() == [
        "seen_at",
        "side",
        "partner",
        "date",
        "status",
        "rows",
        "size",
        "sha256",
        "file",
        "detail",
    ]
    assert len(rows) == 2
    partner_row = next(row for row in rows if " partner " in row)
    settlement = tmp_path / STRIPE.format(day=D3)
    data_rows = len(settlement.read_text(encoding="utf-8").splitlines()) - 1
    size, sha = settlement.stat().st_size, entries(config, "stripe_us")[-1].sha256
    assert partner_row.split()[1:] == [
        "partner", "stripe_us", str(D3), "ingested", str(data_rows), str(size), sha[:12], str(settlement)
    ]  # fmt: skip
    unknown = recon(tmp_path, "landing", "--partner", "nobody")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1, unknown.stderr


def test_a_damaged_registry_fails_the_run_in_one_line_and_publishes_nothing(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    path = registry_path(config.data_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database, just bytes" * 100)

    done = recon(tmp_path, "run", "--date", str(D2), "--partner", "stripe_us")

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.splitlines()[-1]
        == f"failed: stripe_us {D2}: {path}: landing registry: file is not a database"
    )
    assert not Layout(config.data_dir).result("carry", "stripe_us", D2).exists()


def test_rerun_option_of_run_day_reads_the_files_again(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    run_in_order(config, "stripe_us", (D2,))
    (plain,) = run_day(config, D2, ["stripe_us"])
    (forced,) = run_day(config, D2, ["stripe_us"], redelivery=Redelivery(rerun=True))
    assert plain.ok and forced.ok
    assert plain.notes == (
        f"stripe_us {D2}: unchanged re-delivery of {tmp_path / STRIPE.format(day=D2)}; nothing to do",
    )
    assert forced.notes == ()
    assert outcomes(config, "stripe_us") == [
        (str(D2), "ingested"),
        (str(D2), "unchanged"),
        (str(D2), "reingested"),
    ]
