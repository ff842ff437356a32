"""Amounts round-trip exactly through every configured notation, for currencies of 0, 2 and 3 decimals."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from ingest_support import (
    ADYEN_HEADER,
    DAY,
    LEDGER_HEADER,
    PAYPAL_HEADER,
    STRIPE_HEADER,
    fixture_config,
    reasons,
    write_lines,
)

from recon.ingest import IngestResult, read_ledger_file, read_partner_file
from recon.money import exponent_of, format_minor

LARGEST = 10**15 - 1
CURRENCIES = ("JPY", "USD", "KWD")


def edge_values(currency: str) -> list[int]:
    """Zero, one minor and one major unit, 9,999,999,999.99-like and 15-digit limits, random values."""
    unit = 10 ** exponent_of(currency)
    edges = [0, 1, unit - 1, unit, unit + 1, 999_999_999_999, 10**12 * unit - 1, LARGEST]
    rng = random.Random(f"amounts-{currency}")
    edges += [rng.randrange(10**digits) for digits in range(1, 16) for _ in range(5)]
    return edges + [-value for value in edges if value]


def major(minor: int, currency: str, decimal: str = ".", thousands: str | None = None) -> str:
    """Render an unsigned amount in major units the way a partner file would."""
    whole, _, fraction = format_minor(minor, currency).partition(".")
    if thousands is not None:
        whole = f"{int(whole):,}".replace(",", thousands)
    return whole + (decimal + fraction if fraction else "")


def amounts(result: IngestResult) -> list[int]:
    assert result.quarantine.is_empty(), reasons(result.quarantine)
    return result.records["amount_minor"].to_list()


@pytest.mark.parametrize("currency", CURRENCIES)
def test_ledger_major_units_with_indicator(tmp_path: Path, currency: str) -> None:
    values = edge_values(currency)
    rows = [
        f"GL-{i},2026-11-02,,ADYEN,R{i},SALE,{currency},{major(abs(v), currency)},{'D' if v < 0 else 'C'}"
        for i, v in enumerate(values)
    ]
    config = fixture_config()

    result = read_ledger_file(
        write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *rows]), config.ledger, config.partners, DAY
    )

    assert amounts(result) == values


@pytest.mark.parametrize("currency", CURRENCIES)
def test_adyen_comma_decimals_dot_thousands_in_debit_or_credit(tmp_path: Path, currency: str) -> None:
    values = edge_values(currency)
    rows = []
    for i, value in enumerate(values):
        text = major(abs(value), currency, decimal=",", thousands=".")
        debit, credit = (text, "") if value < 0 else ("", text)
        rows.append(f"P{i};R{i};Settled;{currency};{debit};{credit};;1;2026-11-02 12:00:00")

    result = read_partner_file(
        write_lines(tmp_path, "adyen.csv", [ADYEN_HEADER, *rows]), fixture_config().partner("adyen_eu"), DAY
    )

    assert amounts(result) == values


@pytest.mark.parametrize("currency", CURRENCIES)
def test_paypal_dot_decimals_comma_thousands_with_cr_dr(tmp_path: Path, currency: str) -> None:
    values = edge_values(currency)
    rows = [
        "\t".join(
            [
                "SB",
                f"T{i}",
                f"R{i}",
                "T0006",
                "2026/11/02",
                "DR" if v < 0 else "CR",
                major(abs(v), currency, thousands=","),
                currency,
                "0",
            ]
        )
        for i, v in enumerate(values)
    ]

    result = read_partner_file(
        write_lines(tmp_path, "STL.tsv", [PAYPAL_HEADER, *rows]), fixture_config().partner("paypal_gb"), DAY
    )

    assert amounts(result) == values


@pytest.mark.parametrize("currency", CURRENCIES)
def test_stripe_signed_minor_units(tmp_path: Path, currency: str) -> None:
    values = edge_values(currency)
    rows = [
        f"txn_{i},R{i},,charge,{currency.lower()},{v},{abs(v) // 7},2026-11-02," for i, v in enumerate(values)
    ]

    result = read_partner_file(
        write_lines(tmp_path, "stripe.csv", [STRIPE_HEADER, *rows]),
        fixture_config().partner("stripe_us"),
        DAY,
    )

    assert amounts(result) == values
    assert result.records["fee_minor"].to_list() == [abs(v) // 7 for v in values]
    assert result.records["net_minor"].to_list() == [v - abs(v) // 7 for v in values]


def test_fewer_decimals_are_padded_and_trailing_zeros_accepted(tmp_path: Path) -> None:
    rows = [
        "GL-1,2026-11-02,,ADYEN,R1,SALE,USD,12.5,C",
        "GL-2,2026-11-02,,ADYEN,R2,SALE,KWD,0.5,D",
        "GL-3,2026-11-02,,ADYEN,R3,SALE,KWD,7,C",
        "GL-4,2026-11-02,,ADYEN,R4,SALE,JPY,100.000,C",
        "GL-5,2026-11-02,,ADYEN,R5,SALE,USD,0.01,D",
        "GL-6,2026-11-02,,ADYEN,R6,SALE,USD,+007.10,C",
    ]
    config = fixture_config()

    result = read_ledger_file(
        write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *rows]), config.ledger, config.partners, DAY
    )

    assert amounts(result) == [1250, -500, 7000, 100, -1, 710]


def test_amounts_of_more_than_15_digits_of_minor_units_are_quarantined(tmp_path: Path) -> None:
    rows = [
        "GL-1,2026-11-02,,ADYEN,R1,SALE,USD,10000000000000.00,C",
        "GL-2,2026-11-02,,ADYEN,R2,SALE,USD,9999999999999.99,C",
        "GL-3,2026-11-02,,ADYEN,R3,SALE,USD,9999999999999999.99,C",
        "GL-4,2026-11-02,,ADYEN,R4,SALE,USD,92233720368547758.08,C",
    ]
    config = fixture_config()

    result = read_ledger_file(
        write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *rows]), config.ledger, config.partners, DAY
    )

    limit = "(limit 999,999,999,999,999 minor units)"
    assert reasons(result.quarantine) == {
        2: f"amount '10000000000000.00' is too large {limit}",
        4: f"amount '9999999999999999.99' is too large {limit}",
        5: f"amount '92233720368547758.08' is too large {limit}",
    }
    assert result.records["amount_minor"].to_list() == [LARGEST]
