"""Every physical line of a file is accounted for: header, blank, data or continuation line, and
every data row a record or quarantined. A stray quote cannot swallow the rows after it, a file
cut off mid-row is refused, and the accounting is published and checked by the balance."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from fixture_copy import copy_fixtures
from ingest_support import DAY, STRIPE_HEADER, fixture_config, reasons, write_lines

from recon.errors import BalanceError, IngestError
from recon.ingest import IngestResult, read_partner_file
from recon.pipeline import ingest_ledger_day, ingest_partner_day, reconcile_partner_day, run_day
from recon.store import Layout


def stripe_row(number: int, reference: str = "") -> str:
    return (
        f"txn_{number},{reference or f'ORD-{number}'},po_1,charge,usd,{100 + number},1,2026-11-02,2026-11-04"
    )


def read_stripe(path: Path, **format_options: object) -> IngestResult:
    partner = fixture_config().partner("stripe_us")
    fmt = partner.format.model_copy(update=format_options)
    return read_partner_file(path, partner.model_copy(update={"format": fmt}), DAY)


def accounting(result: IngestResult) -> dict[str, int]:
    row = result.source.accounting().row(0, named=True)
    return {key: value for key, value in row.items() if isinstance(value, int)}


def test_an_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    rows = [stripe_row(n) for n in range(1, 15)]
    rows[1] = stripe_row(2, '"ORD-2')  # opens a quoted cell on line 3 ...
    rows[12] = stripe_row(13, 'ORD-13"')  # ... that a stray quote on line 14 closes
    result = read_stripe(write_lines(tmp_path, "stripe.csv", [STRIPE_HEADER, *rows]))

    swallowed = "quoted cell opened on line 3 runs over 12 lines; the layout allows 1"
    assert reasons(result.quarantine) == {line: swallowed for line in range(3, 15)}
    assert result.quarantine["raw"].to_list() == rows[1:13]
    assert result.records["source_line"].to_list() == [2, 15]
    assert accounting(result) == {
        "physical_lines": 15,
        "header_lines": 1,
        "blank_lines": 0,
        "continuation_lines": 0,
        "data_rows": 14,
        "records": 2,
        "quarantined": 12,
    }


def test_a_quoted_newline_is_one_record_when_the_layout_allows_it(tmp_path: Path) -> None:
    rows = [stripe_row(1), stripe_row(2, '"ORD-2\nsecond line"'), stripe_row(3)]
    path = write_lines(tmp_path, "stripe.csv", ["", STRIPE_HEADER, *rows, "", ""])

    result = read_stripe(path, max_lines_per_record=2)

    assert result.records.select("source_line", "reference").rows() == [
        (3, "ORD-1"),
        (4, "ORD-2\nsecond line"),
        (6, "ORD-3"),
    ]
    assert accounting(result) == {
        "physical_lines": 8,
        "header_lines": 1,
        "blank_lines": 3,
        "continuation_lines": 1,
        "data_rows": 3,
        "records": 3,
        "quarantined": 0,
    }
    default = read_stripe(path)
    assert reasons(default.quarantine) == {
        4: "quoted cell opened on line 4 runs over 2 lines; the layout allows 1",
        5: "quoted cell opened on line 4 runs over 2 lines; the layout allows 1",
    }


def test_a_quote_that_never_closes_refuses_the_file(tmp_path: Path) -> None:
    rows = [stripe_row(1), stripe_row(2, '"ORD-2'), stripe_row(3), stripe_row(4)]
    path = write_lines(tmp_path, "stripe.csv", [STRIPE_HEADER, *rows])

    with pytest.raises(IngestError) as error:
        read_stripe(path, max_lines_per_record=5)

    assert str(error.value) == (
        f"{path}: line 3: quote opened here never closes (the rest of the file, 3 lines, would be one row)"
    )


def test_a_file_cut_off_mid_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stripe.csv"
    path.write_text(f"{STRIPE_HEADER}\n{stripe_row(1)}\n{stripe_row(2)[:25]}", encoding="utf-8")

    with pytest.raises(IngestError) as error:
        read_stripe(path)

    assert str(error.value) == (
        f"{path}: line 3: file is truncated: the last row has 5 of 9 fields and no final newline"
    )


def test_a_complete_last_row_without_final_newline_is_read(tmp_path: Path) -> None:
    path = tmp_path / "stripe.csv"
    path.write_text(f"{STRIPE_HEADER}\n{stripe_row(1)}\n{stripe_row(2)}", encoding="utf-8")

    result = read_stripe(path)

    assert result.records["source_line"].to_list() == [2, 3]
    assert accounting(result)["physical_lines"] == 3


def test_cr_only_line_endings_are_read_as_lines(tmp_path: Path) -> None:
    rows = [stripe_row(n) for n in range(1, 2001)]
    path = tmp_path / "stripe.csv"
    path.write_bytes("\r".join([STRIPE_HEADER, *rows, ""]).encode())

    result = read_stripe(path)

    assert result.quarantine.is_empty()
    assert result.records["source_line"].to_list() == list(range(2, 2002))
    assert accounting(result)["physical_lines"] == 2001


def test_errors_quote_at_most_a_short_excerpt_of_the_file(tmp_path: Path) -> None:
    header = STRIPE_HEADER.replace(",fee,", ",") + "," + ",".join(f"extra_{n}" for n in range(20_000))
    path = write_lines(tmp_path, "stripe.csv", [header, stripe_row(1)])

    with pytest.raises(IngestError) as error:
        read_stripe(path)

    message = str(error.value)
    assert message.startswith(f"{path}: missing columns 'fee'; found 'balance_transaction_id', ")
    assert message.endswith("...")
    assert "\n" not in message
    assert len(message) < len(str(path)) + 1000


def test_a_long_cell_is_cut_in_its_quarantine_reason(tmp_path: Path) -> None:
    row = f"txn_1,ORD-1,po_1,charge,usd,{'9' * 5000}x,1,2026-11-02,2026-11-04"
    result = read_stripe(write_lines(tmp_path, "stripe.csv", [STRIPE_HEADER, row]))

    assert reasons(result.quarantine) == {
        2: f"gross '{'9' * 77}...' is not a valid amount of minor units (a whole number)"
    }


def test_a_header_naming_a_needed_column_twice_refuses_the_file(tmp_path: Path) -> None:
    header = STRIPE_HEADER.replace("fee", "gross")
    path = write_lines(tmp_path, "stripe.csv", [f"{header},fee", stripe_row(1) + ",1"])

    with pytest.raises(IngestError) as error:
        read_stripe(path)

    assert str(error.value) == f"{path}: line 1: header names column 'gross' (2 times); expected once"


def test_the_accounting_is_published_and_checked_by_the_balance(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    layout = Layout(config.data_dir)
    day = date(2026, 11, 2)
    ingest_ledger_day(config, day, layout)
    result = ingest_partner_day(config, "adyen_eu", day, layout)

    published = pl.read_parquet(layout.canonical_source("partner", "adyen_eu", day))
    assert published.equals(result.source.accounting())
    assert published["source_file"].to_list() == ["settlement_detail_report_20261102.csv"]
    assert reconcile_partner_day(config, "adyen_eu", day, layout).ok

    tampered = published.with_columns(quarantined=pl.col("quarantined") + 1)
    tampered.write_parquet(layout.canonical_source("partner", "adyen_eu", day))
    with pytest.raises(BalanceError) as error:
        reconcile_partner_day(config, "adyen_eu", day, layout)
    assert str(error.value).startswith(
        "adyen_eu 2026-11-02 does not account for its files: settlement_detail_report_20261102.csv: "
    )
    assert "\n" not in str(error.value)


def test_ten_huge_amounts_are_quarantined_and_the_day_still_balances(tmp_path: Path) -> None:
    config = copy_fixtures(tmp_path)
    day = date(2026, 11, 2)
    landing = tmp_path / "landing" / "stripe_us" / "stripe_balance_2026-11-02.csv"
    header, first, *rest = landing.read_text(encoding="utf-8").splitlines()
    huge = []
    for n in range(10):
        cells = first.split(",")
        cells[0], cells[4], cells[10] = f"txn_huge_{n}", "999999999999999999", f"ORD-HUGE-{n}"
        huge.append(",".join(cells))
    landing.write_text("\n".join([header, first, *rest, *huge]) + "\n", encoding="utf-8")

    (result,) = run_day(config, day, ["stripe_us"])

    assert result.metrics is not None and result.metrics.balanced
    assert "11 of 23 partner rows quarantined" in str(result.error)  # over the share limit: the day fails
    quarantine = pl.read_parquet(Layout(config.data_dir).canonical_quarantine("partner", "stripe_us", day))
    assert quarantine["reason"].str.contains("gross '999999999999999999' is too large").sum() == 10
