"""Ingest never changes a figure silently: a value that cannot be taken as written is quarantined
with the true reason, never flipped, netted, case-folded or cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_support import (
    ADYEN_HEADER,
    DAY,
    LEDGER_HEADER,
    STRIPE_HEADER,
    fixture_config,
    reasons,
    write_lines,
)

from recon.config import PlausibleDates, SignedAmount
from recon.ingest import IngestResult, read_ledger_file, read_partner_file


def read_ledger(path: Path, **format_options: object) -> IngestResult:
    config = fixture_config()
    ledger = config.ledger.model_copy(
        update={"format": config.ledger.format.model_copy(update=format_options)}
    )
    return read_ledger_file(path, ledger, config.partners, DAY)


def ledger_row(
    number: int, amount: str, direction: str = "C", currency: str = "USD", day: str = "2026-11-02"
) -> str:
    return f"GL-{number},{day},,ADYEN,R{number},SALE,{currency},{amount},{direction}"


def adyen_row(number: int, debit: str, credit: str, kind: str = "Settled") -> str:
    return f"PSP{number};ORD-{number};{kind};EUR;{debit};{credit};0,10;512;2026-11-02 12:00:00"


def test_a_negative_amount_beside_an_indicator_is_not_flipped(tmp_path: Path) -> None:
    rows = [ledger_row(1, "-20.00", "D"), ledger_row(2, "-20.00", "C"), ledger_row(3, "20.00", "D")]
    result = read_ledger(write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *rows]))

    assert reasons(result.quarantine) == {
        2: "negative amount '-20.00' in unsigned column 'amount'",
        3: "negative amount '-20.00' in unsigned column 'amount'",
    }
    assert result.records["amount_minor"].to_list() == [-2000]
    assert result.quarantine["amount_minor"].to_list() == [None, None]


def test_debit_and_credit_columns_are_neither_negative_nor_both_filled(tmp_path: Path) -> None:
    rows = [
        adyen_row(1, "-35,00", ""),
        adyen_row(2, "10,00", "15,00"),
        adyen_row(3, "1", "52", kind="Refunded"),
        adyen_row(4, "0,00", "15,00"),
        adyen_row(5, "35,00", "0"),
        adyen_row(6, "", "-1,00"),
    ]
    path = write_lines(tmp_path, "adyen.csv", [ADYEN_HEADER, *rows])

    result = read_partner_file(path, fixture_config().partner("adyen_eu"), DAY)

    both = (
        "'Gross Debit (GC)' and 'Gross Credit (GC)' are both filled ('{}' and '{}'); "
        "a row is a debit or a credit"
    )
    assert reasons(result.quarantine) == {
        2: "negative amount '-35,00' in unsigned column 'Gross Debit (GC)'",
        3: both.format("10,00", "15,00"),
        4: both.format("1", "52"),
        7: "negative amount '-1,00' in unsigned column 'Gross Credit (GC)'",
    }
    assert result.records.select("source_line", "amount_minor").rows() == [(5, 1500), (6, -3500)]
    assert result.quarantine["amount_minor"].to_list() == [None] * 4


def test_a_net_that_is_not_gross_minus_fee_is_quarantined(tmp_path: Path) -> None:
    rows = [
        "txn_1,ORD-1,po_1,charge,usd,4999,174,2026-11-02,,4825",
        "txn_2,ORD-2,po_1,refund,usd,-10000,25,2026-11-02,,-10000",
        "txn_3,ORD-3,po_1,charge,usd,1000,30,2026-11-02,,",
    ]
    path = write_lines(tmp_path, "stripe.csv", [f"{STRIPE_HEADER},net", *rows])
    stripe = fixture_config().partner("stripe_us")
    columns = stripe.format.columns.model_copy(update={"net": "net"})
    with_net = stripe.model_copy(update={"format": stripe.format.model_copy(update={"columns": columns})})

    result = read_partner_file(path, with_net, DAY)

    assert reasons(result.quarantine) == {
        3: "net '-10000' is not gross '-10000' minus fee '25'",
        4: "net is empty",
    }
    assert result.records.select("source_line", "net_minor").rows() == [(2, 4825)]


@pytest.mark.parametrize("code", ["u\u017fd", "\uff35\uff33\uff24", "us"])  # long s, full-width letters
def test_a_currency_code_is_three_ascii_letters(tmp_path: Path, code: str) -> None:
    rows = [ledger_row(1, "1.00", currency=code), ledger_row(2, "1.00", currency="usd")]
    result = read_ledger(write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *rows]))

    expected = (
        f"currency '{code}' is not three ASCII letters"
        if not code.isascii()
        else f"unknown currency '{code}'"
    )
    assert reasons(result.quarantine) == {2: expected}
    assert result.quarantine["currency"].to_list() == [None]
    assert result.records["currency"].to_list() == ["USD"]


# Arabic-Indic, full-width, and one Arabic-Indic digit among ASCII ones
@pytest.mark.parametrize("amount", ["\u0661\u0660\u0660", "\uff11\uff10\uff10", "1\u06600"])
def test_non_ascii_digits_are_named_as_such(tmp_path: Path, amount: str) -> None:
    rows = [
        f"txn_1,ORD-1,po_1,charge,usd,{amount},1,2026-11-02,",
        "txn_2,ORD-2,po_1,charge,usd,100,1,2026-11-02,",
    ]
    path = write_lines(tmp_path, "stripe.csv", [STRIPE_HEADER, *rows])

    result = read_partner_file(path, fixture_config().partner("stripe_us"), DAY)

    assert reasons(result.quarantine) == {2: f"gross '{amount}' has non-ASCII digits"}


def test_dates_outside_the_plausible_window_are_quarantined(tmp_path: Path) -> None:
    rows = [
        ledger_row(1, "1.00", day="0001-01-01"),
        ledger_row(2, "1.00", day="9999-12-31"),
        ledger_row(3, "1.00", day="2025-11-01"),
        ledger_row(4, "1.00", day="2026-12-03"),
        ledger_row(5, "1.00", day="2025-10-31"),
        ledger_row(6, "1.00", day="2026-12-04"),
    ]
    path = write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *rows])

    result = read_ledger(path)

    window = "is outside the plausible dates 2025-11-01 to 2026-12-03"
    assert reasons(result.quarantine) == {
        2: f"booked_on 0001-01-01 {window}",
        3: f"booked_on 9999-12-31 {window}",
        6: f"booked_on 2025-10-31 {window}",
        7: f"booked_on 2026-12-04 {window}",
    }
    wide = read_ledger(path, plausible_dates=PlausibleDates(days_before=400, days_after=40))
    assert reasons(wide.quarantine).keys() == {2, 3}


def test_amounts_without_a_leading_zero_are_read(tmp_path: Path) -> None:
    rows = [ledger_row(1, ".91"), ledger_row(2, "-.91"), ledger_row(3, "."), ledger_row(4, "+.5")]
    path = write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *rows])

    result = read_ledger(path, sign=SignedAmount())

    assert reasons(result.quarantine) == {4: "amount '.' is not a valid amount"}
    assert result.records["amount_minor"].to_list() == [91, -91, 50]
