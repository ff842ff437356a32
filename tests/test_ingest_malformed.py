"""Malformed inputs: each gives the documented outcome, an IngestError naming the file and the problem,
or quarantined rows with their reason and line while the good rows still come through."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_support import (
    DAY,
    LEDGER_HEADER,
    PAYPAL_HEADER,
    STRIPE_HEADER,
    fixture_config,
    reasons,
    write_lines,
)

from recon.errors import IngestError
from recon.ingest import IngestResult, read_ledger_file, read_partner_file

GOOD = "txn_1,ORD-1,po_1,charge,usd,4999,175,2026-11-02,2026-11-04"
GOOD_2 = "txn_2,ORD-2,po_1,charge,usd,1000,30,2026-11-02,2026-11-04"


def read_stripe(path: Path) -> IngestResult:
    return read_partner_file(path, fixture_config().partner("stripe_us"), DAY)


def read_ledger(path: Path) -> IngestResult:
    config = fixture_config()
    return read_ledger_file(path, config.ledger, config.partners, DAY)


def ingest_error(path: Path) -> str:
    with pytest.raises(IngestError) as error:
        read_stripe(path)
    return str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    assert ingest_error(path) == f"{path}: file not found"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert ingest_error(path) == f"{path}: file is empty (0 bytes)"


def test_blank_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path, "blank.csv", ["", ""])
    assert ingest_error(path) == f"{path}: no header line (file is blank)"


def test_header_only(tmp_path: Path) -> None:
    path = write_lines(tmp_path, "header.csv", [STRIPE_HEADER])
    assert ingest_error(path).startswith(f"{path}: no data rows (header only); if such a file means")


def test_wrong_delimiter_names_the_one_found(tmp_path: Path) -> None:
    path = write_lines(tmp_path, "semicolons.csv", [STRIPE_HEADER.replace(",", ";"), GOOD.replace(",", ";")])
    message = ingest_error(path)
    assert message.startswith(f"{path}: missing columns 'payment_metadata[order_id]', ")
    assert message.endswith(
        f"; found '{STRIPE_HEADER.replace(',', ';')}' (expected ',' delimited; found ';')"
    )


def test_missing_column_lists_missing_and_found(tmp_path: Path) -> None:
    header = STRIPE_HEADER.replace(",fee,", ",commission,")
    path = write_lines(tmp_path, "no_fee.csv", [header, GOOD])
    found = ", ".join(f"'{name}'" for name in header.split(","))
    assert ingest_error(path) == f"{path}: missing columns 'fee'; found {found}"


def test_latin1_bytes_in_a_utf8_file_name_the_line(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path, "latin1.csv", [STRIPE_HEADER, GOOD, "txn_2,CAFÉ-1,,charge,usd,1,0,2026-11-02,"], "latin-1"
    )
    offset = path.read_bytes().index(b"\xc9")
    assert ingest_error(path) == f"{path}: line 3 is not valid utf-8: byte 0xc9 at offset {offset}"


def test_latin1_file_reads_when_configured(tmp_path: Path) -> None:
    stripe = fixture_config().partner("stripe_us")
    latin1 = stripe.model_copy(update={"format": stripe.format.model_copy(update={"encoding": "latin-1"})})
    path = write_lines(
        tmp_path, "latin1.csv", [STRIPE_HEADER, "txn_2,CAFÉ-1,,charge,usd,1,0,2026-11-02,"], "latin-1"
    )

    result = read_partner_file(path, latin1, DAY)

    assert result.records["reference"].to_list() == ["CAFÉ-1"]


def test_byte_order_mark_is_stripped(tmp_path: Path) -> None:
    plain = write_lines(tmp_path, "plain.csv", [STRIPE_HEADER, GOOD])
    with_bom = tmp_path / "bom.csv"
    with_bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())

    result = read_stripe(with_bom)

    assert result.quarantine.is_empty()
    assert result.records.drop("record_id", "source_file", "source_sha256").equals(
        read_stripe(plain).records.drop("record_id", "source_file", "source_sha256")
    )


def test_crlf_line_endings_and_blank_lines_around_the_data(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes(f"\r\n\r\n{STRIPE_HEADER}\r\n{GOOD}\r\n{GOOD_2}\r\n\r\n\r\n".encode())

    result = read_stripe(path)

    assert result.source.data_rows == 2
    assert result.records.select("record_id", "reference").rows() == [
        ("crlf.csv:4", "ORD-1"),
        ("crlf.csv:5", "ORD-2"),
    ]


def test_blank_line_inside_the_file_is_quarantined(tmp_path: Path) -> None:
    result = read_stripe(write_lines(tmp_path, "gap.csv", [STRIPE_HEADER, GOOD, "", GOOD_2]))

    assert reasons(result.quarantine) == {3: "blank line"}
    assert result.records["source_line"].to_list() == [2, 4]


def test_bad_date(tmp_path: Path) -> None:
    bad = "txn_3,ORD-3,po_1,charge,usd,100,1,11/03/2026,2026-11-31"
    result = read_stripe(write_lines(tmp_path, "dates.csv", [STRIPE_HEADER, GOOD, bad, GOOD_2]))

    assert reasons(result.quarantine) == {
        3: "created_date '11/03/2026' does not match date format '%Y-%m-%d'; "
        "available_on '2026-11-31' does not match date format '%Y-%m-%d'"
    }
    row = result.quarantine.row(0, named=True)
    assert (row["record_id"], row["currency"], row["amount_minor"]) == ("dates.csv:3", "USD", 100)
    assert row["raw"] == bad
    assert result.records["source_line"].to_list() == [2, 4]


def test_bad_amount(tmp_path: Path) -> None:
    bad = "txn_3,ORD-3,po_1,charge,usd,#VALUE!,12.5,2026-11-02,"
    result = read_stripe(write_lines(tmp_path, "amounts.csv", [STRIPE_HEADER, bad, GOOD]))

    assert reasons(result.quarantine) == {
        2: "gross '#VALUE!' is not a valid amount of minor units (a whole number); "
        "fee '12.5' is not a valid amount of minor units (a whole number)"
    }
    assert result.quarantine["amount_minor"].to_list() == [None]
    assert result.records["source_line"].to_list() == [3]


@pytest.mark.parametrize(
    "amount", ["1,23.45", "12,34,567.00", "1234,567.00", ",123.00", "1,2345.00", "1.234,56", "1,234.", "."]
)
def test_thousands_separators_in_the_wrong_place(tmp_path: Path, amount: str) -> None:
    rows = [
        f"SB\tT1\tINV-1\tT0006\t2026/11/02\tCR\t{amount}\tGBP\t0",
        "SB\tT2\tINV-2\tT0006\t2026/11/02\tCR\t1,234,567.00\tGBP\t0",
    ]
    path = write_lines(tmp_path, "STL.tsv", [PAYPAL_HEADER, *rows])

    result = read_partner_file(path, fixture_config().partner("paypal_gb"), DAY)

    assert reasons(result.quarantine) == {2: f"Gross Transaction Amount '{amount}' is not a valid amount"}
    assert result.records["amount_minor"].to_list() == [123456700]


def test_duplicated_rows_are_both_kept_with_distinct_ids(tmp_path: Path) -> None:
    result = read_stripe(write_lines(tmp_path, "dupes.csv", [STRIPE_HEADER, GOOD, GOOD]))

    assert result.quarantine.is_empty()
    assert result.records["record_id"].to_list() == ["dupes.csv:2", "dupes.csv:3"]
    assert result.records.drop("record_id", "source_line").n_unique() == 1


def test_unknown_currency_keeps_the_minor_unit_amount(tmp_path: Path) -> None:
    rows = [
        GOOD,
        "txn_3,ORD-3,po_1,charge,usdc,100,1,2026-11-02,",
        "txn_4,ORD-4,po_1,charge,,100,1,2026-11-02,",
    ]
    result = read_stripe(write_lines(tmp_path, "currency.csv", [STRIPE_HEADER, *rows]))

    assert reasons(result.quarantine) == {3: "unknown currency 'usdc'", 4: "currency is empty"}
    assert result.quarantine.select("currency", "amount_minor").rows() == [(None, 100), (None, 100)]
    assert result.records["source_line"].to_list() == [2]


def test_too_many_decimals_for_the_currency(tmp_path: Path) -> None:
    rows = [
        "GL-1,2026-11-02,,ADYEN,ORD-1,SALE,JPY,1.234,C",
        "GL-2,2026-11-02,,ADYEN,ORD-2,SALE,KWD,1.2345,C",
        "GL-3,2026-11-02,,ADYEN,ORD-3,SALE,JPY,1200.00,C",
        "GL-4,2026-11-02,,ADYEN,ORD-4,SALE,USD,12.5,C",
    ]
    result = read_ledger(write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *rows]))

    assert reasons(result.quarantine) == {
        2: "amount '1.234' has 3 decimals, JPY allows 0",
        3: "amount '1.2345' has 4 decimals, KWD allows 3",
    }
    assert result.quarantine.select("currency", "amount_minor").rows() == [("JPY", None), ("KWD", None)]
    assert result.records.select("currency", "amount_minor").rows() == [("JPY", 1200), ("USD", 1250)]


def test_ragged_rows(tmp_path: Path) -> None:
    short = "txn_3,ORD-3,po_1,charge,usd,100,1,2026-11-02"
    long = "txn_4,ORD-4,po_1,charge,usd,100,1,2026-11-02,2026-11-04,surplus"
    result = read_stripe(write_lines(tmp_path, "ragged.csv", [STRIPE_HEADER, GOOD, short, long, GOOD_2]))

    assert reasons(result.quarantine) == {
        3: "row has 8 fields, the header has 9",
        4: "row has 10 fields, the header has 9",
    }
    assert result.quarantine["raw"].to_list() == [short, long]
    assert result.records["source_line"].to_list() == [2, 5]


def test_quoted_cells_with_delimiters_newlines_and_stray_quotes(tmp_path: Path) -> None:
    rows = [
        'txn_1,"ORD-1, part ""A""",po_1,charge,usd,100,1,2026-11-02,',
        'txn_2,"ORD-2\nsecond line",po_1,charge,usd,200,1,2026-11-02,',
        'txn_3,ORD-3 5" screen,po_1,charge,usd,300,1,2026-11-02,,',
    ]
    config = fixture_config().partner("stripe_us")
    two_lines = config.model_copy(
        update={"format": config.format.model_copy(update={"max_lines_per_record": 2})}
    )
    result = read_partner_file(write_lines(tmp_path, "quoted.csv", [STRIPE_HEADER, *rows]), two_lines, DAY)

    assert result.records.select("record_id", "reference").rows() == [
        ("quoted.csv:2", 'ORD-1, part "A"'),
        ("quoted.csv:3", "ORD-2\nsecond line"),
    ]
    assert reasons(result.quarantine) == {5: "row has 10 fields, the header has 9"}


def test_unbalanced_quote(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path, "unbalanced.csv", [STRIPE_HEADER, 'txn_1,"ORD-1,po_1,charge,usd,100,1,2026-11-02,', GOOD]
    )
    assert ingest_error(path) == (
        f"{path}: line 2: quote opened here never closes (the rest of the file, 2 lines, would be one row)"
    )


def test_unknown_record_type(tmp_path: Path) -> None:
    rows = [
        GOOD,
        "txn_3,ORD-3,po_1,payout_failure,usd,100,1,2026-11-02,",
        "txn_4,ORD-4,po_1,,usd,100,1,2026-11-02,",
    ]
    result = read_stripe(write_lines(tmp_path, "types.csv", [STRIPE_HEADER, *rows]))

    assert reasons(result.quarantine) == {
        3: "unknown record type 'payout_failure'",
        4: "unknown record type ''",
    }
    assert result.records["source_line"].to_list() == [2]


def test_unknown_ledger_partner_code(tmp_path: Path) -> None:
    rows = ["GL-1,2026-11-02,,ADYEN,ORD-1,SALE,EUR,1.00,C", "GL-2,2026-11-02,,KLARNA,ORD-2,SALE,EUR,2.00,C"]
    result = read_ledger(write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *rows]))

    assert reasons(result.quarantine) == {3: "unknown partner code 'KLARNA'"}
    assert result.quarantine.select("partner", "currency", "amount_minor").rows() == [("unknown", "EUR", 200)]
    assert result.records["partner"].to_list() == ["adyen_eu"]


def test_several_problems_on_one_row_are_joined(tmp_path: Path) -> None:
    row = "GL-1,someday,,KLARNA,ORD-1,GIFT,XYZ,abc,?"
    result = read_ledger(write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, row]))

    assert reasons(result.quarantine) == {
        2: "unknown partner code 'KLARNA'; unknown record type 'GIFT'; unknown currency 'XYZ'; "
        "amount 'abc' is not a valid amount; direction '?' is neither debit (D) nor credit (C); "
        "booked_on 'someday' does not match date format '%Y-%m-%d'"
    }
    assert result.quarantine.row(0, named=True)["raw"] == row
