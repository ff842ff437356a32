"""Each layout of fixtures/recon.yaml, and the ledger as CSV and Parquet, read into canonical rows."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
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

from recon.config import LedgerConfig, load_config
from recon.errors import ConfigError, IngestError
from recon.ingest import IngestResult, read_ledger_file, read_partner_file
from recon.schema import CANONICAL_SCHEMA, QUARANTINE_SCHEMA

VALUES = ("record_id", "reference", "record_type", "currency", "amount_minor", "fee_minor", "net_minor")
DATES = ("record_id", "booking_date", "value_date")


def assert_contract(result: IngestResult) -> None:
    assert result.records.schema == pl.Schema(CANONICAL_SCHEMA)
    assert result.quarantine.schema == pl.Schema(QUARANTINE_SCHEMA)
    assert result.source.data_rows == result.records.height + result.quarantine.height


def test_adyen_semicolons_comma_decimals_debit_credit_and_amsterdam_time(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        "settlement_detail_report_20261102.csv",
        [
            ADYEN_HEADER,
            "PSP1;ORD-1;Settled;EUR;;1.234,56;1,20;512;2026-11-02 09:14:27",
            "PSP2;ORD-2;Refunded;eur;35,00;;;512;2026-11-02 10:00:00",
            "PSP3;ORD-3;Chargeback;GBP;25,5;;0,75;512;2026-11-02 11:00:00",
            "PSP4;ORD-4;Settled;JPY;;12.000;;512;2026-11-02 00:40:00",
            "PSP5;;Settled;KWD;;1.234,500;0,125;512;2026-11-02 12:00:00",
        ],
    )
    result = read_partner_file(path, fixture_config().partner("adyen_eu"), DAY)

    assert_contract(result)
    name = path.name
    assert result.records.select(VALUES).rows() == [
        (f"{name}:2", "ORD-1", "payment", "EUR", 123456, 120, 123336),
        (f"{name}:3", "ORD-2", "refund", "EUR", -3500, 0, -3500),
        (f"{name}:4", "ORD-3", "chargeback", "GBP", -2550, 75, -2625),
        (f"{name}:5", "ORD-4", "payment", "JPY", 12000, 0, 12000),
        (f"{name}:6", None, "payment", "KWD", 1234500, 125, 1234375),
    ]
    # 00:40 CET on 11-02 is 23:40 UTC on 11-01; without a value date column it is the booking date.
    assert result.records.select(DATES).row(3) == (f"{name}:5", date(2026, 11, 1), date(2026, 11, 1))
    first = result.records.row(0, named=True)
    assert first["partner"] == "adyen_eu"
    assert first["side"] == "partner"
    assert first["partner_reference"] == "PSP1"
    assert first["batch_id"] == "512"
    assert first["business_date"] == DAY
    assert first["source_file"] == name
    assert first["source_line"] == 2
    assert first["source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.source.sha256 == first["source_sha256"]
    assert result.source.name == name
    assert result.source.data_rows == 5


def test_adyen_dates_follow_the_reporting_timezone(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path, "adyen.csv", [ADYEN_HEADER, "PSP4;ORD-4;Settled;JPY;;12.000;;512;2026-11-02 00:40:00"]
    )
    partner = fixture_config().partner("adyen_eu")

    in_amsterdam = read_partner_file(path, partner, DAY, reporting_timezone="Europe/Amsterdam")
    in_new_york = read_partner_file(path, partner, DAY, reporting_timezone="America/New_York")

    assert in_amsterdam.records["booking_date"].to_list() == [date(2026, 11, 2)]
    assert in_new_york.records["booking_date"].to_list() == [date(2026, 11, 1)]


def test_unknown_time_zones_are_configuration_errors(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path, "adyen.csv", [ADYEN_HEADER, "PSP4;ORD-4;Settled;JPY;;12.000;;512;2026-11-02 00:40:00"]
    )
    adyen = fixture_config().partner("adyen_eu")
    misspelt = adyen.model_copy(
        update={"format": adyen.format.model_copy(update={"timezone": "Europe/Amsterdm"})}
    )

    with pytest.raises(ConfigError, match=r"^unknown time zone 'Europe/Amsterdm'$"):
        read_partner_file(path, misspelt, DAY)
    with pytest.raises(ConfigError, match=r"^unknown time zone 'Mars/Olympus'$"):
        read_partner_file(path, adyen, DAY, reporting_timezone="Mars/Olympus")


def test_adyen_local_time_skipped_by_the_clock_change_is_quarantined(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        "adyen.csv",
        [
            ADYEN_HEADER,
            "P1;O1;Settled;EUR;;1,00;;1;2026-03-29 02:30:00",
            "P2;O2;Settled;EUR;;1,00;;1;2026-10-25 02:30:00",
        ],
    )
    result = read_partner_file(path, fixture_config().partner("adyen_eu"), DAY)

    assert reasons(result.quarantine) == {
        2: "Booking Date '2026-03-29 02:30:00' does not exist in Europe/Amsterdam"
    }
    # The ambiguous autumn hour takes its earlier instant (CEST), still 10-25 in UTC.
    assert result.records["booking_date"].to_list() == [date(2026, 10, 25)]


def test_adyen_debit_and_credit_both_empty_is_quarantined(tmp_path: Path) -> None:
    path = write_lines(tmp_path, "adyen.csv", [ADYEN_HEADER, "P1;O1;Settled;EUR;;;;1;2026-11-02 10:00:00"])
    result = read_partner_file(path, fixture_config().partner("adyen_eu"), DAY)

    assert reasons(result.quarantine) == {2: "'Gross Debit (GC)' and 'Gross Credit (GC)' are both empty"}


def test_stripe_minor_units_signed_lowercase_currency(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        "stripe_balance_2026-11-02.csv",
        [
            STRIPE_HEADER,
            "txn_1,ORD-1,po_1,charge,usd,4999,175,2026-11-02,2026-11-04",
            "txn_2,ORD-2,po_1,refund,usd,-1250,0,2026-11-02,",
            "txn_3,,,dispute, Eur ,-2000,1500,2026-11-02,2026-11-03",
            "txn_4,ORD-4,po_1,charge,jpy,500,,2026-11-02,2026-11-04",
            "txn_5,ORD-5,po_1,charge,kwd,+12345,-5,2026-11-02,2026-11-04",
        ],
    )
    result = read_partner_file(path, fixture_config().partner("stripe_us"), DAY)

    assert_contract(result)
    assert result.quarantine.is_empty()
    name = path.name
    assert result.records.select(VALUES).rows() == [
        (f"{name}:2", "ORD-1", "payment", "USD", 4999, 175, 4824),
        (f"{name}:3", "ORD-2", "refund", "USD", -1250, 0, -1250),
        (f"{name}:4", None, "chargeback", "EUR", -2000, 1500, -3500),
        (f"{name}:5", "ORD-4", "payment", "JPY", 500, 0, 500),
        (f"{name}:6", "ORD-5", "payment", "KWD", 12345, -5, 12350),
    ]
    assert result.records.select(DATES).rows()[:2] == [
        (f"{name}:2", date(2026, 11, 2), date(2026, 11, 4)),
        (f"{name}:3", date(2026, 11, 2), date(2026, 11, 2)),
    ]
    assert result.records["batch_id"].to_list() == ["po_1", "po_1", None, "po_1", "po_1"]
    assert result.records["partner_reference"].to_list() == ["txn_1", "txn_2", "txn_3", "txn_4", "txn_5"]


def test_paypal_tabs_thousands_and_cr_dr_indicator(tmp_path: Path) -> None:
    rows = [
        ["SB", "T1", "INV-1", "T0006", "2026/11/02", "CR", "1,250.00", "GBP", "36.55"],
        ["SB", "T2", "INV-2", "T1107", "2026/11/02", "DR", "12.5", "GBP", ""],
        ["SB", "T3", "INV-3", "T1201", "2026/11/01", "dr", "1,234,567.89", "USD", "0.10"],
        ["SB", "T4", "INV-4", "T0003", "2026/11/02", "CR", "8,400", "JPY", "0"],
    ]
    path = write_lines(tmp_path, "STL-20261102.tsv", [PAYPAL_HEADER, *("\t".join(row) for row in rows)])
    result = read_partner_file(path, fixture_config().partner("paypal_gb"), DAY)

    assert_contract(result)
    assert result.quarantine.is_empty()
    name = path.name
    assert result.records.select(VALUES).rows() == [
        (f"{name}:2", "INV-1", "payment", "GBP", 125000, 3655, 121345),
        (f"{name}:3", "INV-2", "refund", "GBP", -1250, 0, -1250),
        (f"{name}:4", "INV-3", "chargeback", "USD", -123456789, 10, -123456799),
        (f"{name}:5", "INV-4", "payment", "JPY", 8400, 0, 8400),
    ]
    assert result.records["value_date"].to_list()[2] == date(2026, 11, 1)


def test_paypal_indicator_outside_the_configured_values_is_quarantined(tmp_path: Path) -> None:
    row = ["SB", "T1", "INV-1", "T0006", "2026/11/02", "XX", "10.00", "GBP", "0.10"]
    path = write_lines(tmp_path, "STL.tsv", [PAYPAL_HEADER, "\t".join(row)])
    result = read_partner_file(path, fixture_config().partner("paypal_gb"), DAY)

    assert reasons(result.quarantine) == {
        2: "Transaction Debit or Credit 'XX' is neither debit (DR) nor credit (CR)"
    }


LEDGER_ROWS = [
    "GL-1,2026-11-02,2026-11-02,ADYEN,ORD-40001,SALE,EUR,120.00,C",
    "GL-2,2026-11-02,2026-11-04,STRIPE,ORD-50001,REFUND,USD,49.9,D",
    "GL-3,2026-11-02,,PAYPAL,,FEE,JPY,1200,D",
    "GL-4,2026-11-02,2026-11-03,ADYEN,ORD-40002,CHARGEBACK,KWD,45.250,D",
]
LEDGER_EXPECTED = [
    ("adyen_eu", "ORD-40001", "payment", "EUR", 12000, 0, 12000, date(2026, 11, 2)),
    ("stripe_us", "ORD-50001", "refund", "USD", -4990, 0, -4990, date(2026, 11, 4)),
    ("paypal_gb", None, "fee", "JPY", -1200, 0, -1200, date(2026, 11, 2)),
    ("adyen_eu", "ORD-40002", "chargeback", "KWD", -45250, 0, -45250, date(2026, 11, 3)),
]
LEDGER_VALUES = (
    "partner",
    "reference",
    "record_type",
    "currency",
    "amount_minor",
    "fee_minor",
    "net_minor",
    "value_date",
)


def test_ledger_csv_routes_rows_to_partners_by_ledger_code(tmp_path: Path) -> None:
    config = fixture_config()
    path = write_lines(tmp_path, "ledger_2026-11-02.csv", [LEDGER_HEADER, *LEDGER_ROWS])
    result = read_ledger_file(path, config.ledger, config.partners, DAY)

    assert_contract(result)
    assert result.quarantine.is_empty()
    assert result.records.select(LEDGER_VALUES).rows() == LEDGER_EXPECTED
    assert set(result.records["side"]) == {"ledger"}
    assert result.records["record_id"].to_list() == [f"{path.name}:{line}" for line in range(2, 6)]
    assert result.records["partner_reference"].null_count() == 4, "entry_id is not carried"


def parquet_ledger(fmt_update: dict[str, object] | None = None) -> LedgerConfig:
    ledger = fixture_config().ledger
    fmt = ledger.format.model_dump() | {"kind": "parquet"} | (fmt_update or {})
    return LedgerConfig.model_validate(ledger.model_dump() | {"format": fmt})


def test_ledger_parquet_with_native_dates_and_decimals(tmp_path: Path) -> None:
    path = tmp_path / "ledger_2026-11-02.parquet"
    pl.DataFrame(
        {
            "entry_id": [1, 2, 3, 4],
            "booked_on": [date(2026, 11, 2)] * 4,
            "value_date": [date(2026, 11, 2), date(2026, 11, 4), None, date(2026, 11, 3)],
            "counterparty": ["ADYEN", "STRIPE", "PAYPAL", "ADYEN"],
            "reference": ["ORD-40001", "ORD-50001", None, "ORD-40002"],
            "entry_type": ["SALE", "REFUND", "FEE", "CHARGEBACK"],
            "currency": ["EUR", "USD", "JPY", "KWD"],
            "amount": [Decimal("120.0000"), Decimal("49.9000"), Decimal("1200.0000"), Decimal("45.2500")],
            "direction": ["C", "D", "D", "D"],
        },
        schema_overrides={"amount": pl.Decimal(18, 4)},
    ).write_parquet(path)
    config = fixture_config()
    result = read_ledger_file(path, parquet_ledger(), config.partners, DAY)

    assert_contract(result)
    assert result.quarantine.is_empty()
    assert result.records.select(LEDGER_VALUES).rows() == LEDGER_EXPECTED
    assert result.records["record_id"].to_list() == [f"{path.name}:{line}" for line in range(2, 6)]


def test_ledger_parquet_integer_amounts_timestamps_and_comma_decimals(tmp_path: Path) -> None:
    path = tmp_path / "ledger.parquet"
    pl.DataFrame(
        {
            "entry_id": ["GL-1", "GL-2"],
            "booked_on": [datetime(2026, 11, 1, 23, 30), datetime(2026, 11, 2, 8)],
            "value_date": [None, None],
            "counterparty": ["PAYPAL", "ADYEN"],
            "reference": ["INV-1", "ORD-1"],
            "entry_type": ["SALE", "SALE"],
            "currency": ["JPY", "EUR"],
            "amount": [Decimal("8400"), Decimal("12.5")],
            "direction": ["C", "C"],
        },
        schema_overrides={"booked_on": pl.Datetime("us", "UTC"), "amount": pl.Decimal(10, 1)},
    ).write_parquet(path)
    integers = tmp_path / "ledger_int.parquet"
    pl.read_parquet(path).with_columns(pl.Series("amount", [8400, 12], dtype=pl.Int64)).write_parquet(
        integers
    )
    ledger = parquet_ledger(
        {"decimal_separator": ",", "date_format": "%Y-%m-%d %H:%M", "timezone": "Europe/Amsterdam"}
    )
    partners = fixture_config().partners

    decimals = read_ledger_file(path, ledger, partners, DAY)
    whole = read_ledger_file(integers, ledger, partners, DAY)

    # 23:30 UTC on 11-01 renders as 00:30 in Amsterdam and converts back to 11-01 in UTC.
    assert decimals.records.select("amount_minor", "booking_date", "value_date").rows() == [
        (8400, date(2026, 11, 1), date(2026, 11, 1)),
        (1250, date(2026, 11, 2), date(2026, 11, 2)),
    ]
    assert whole.records["amount_minor"].to_list() == [8400, 1200]


def test_ledger_parquet_float_amounts_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.parquet"
    frame = pl.DataFrame({column: ["x"] for column in LEDGER_HEADER.split(",")})
    frame.with_columns(amount=pl.lit(0.1)).write_parquet(path)

    with pytest.raises(
        IngestError, match=r"ledger\.parquet: column 'amount' is Float64; amounts must not be floats"
    ):
        read_ledger_file(path, parquet_ledger(), fixture_config().partners, DAY)


def test_ledger_parquet_missing_column_and_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.parquet"
    pl.DataFrame({"entry_id": [1]}).write_parquet(missing)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    ledger, partners = parquet_ledger(), fixture_config().partners

    with pytest.raises(IngestError) as error:
        read_ledger_file(missing, ledger, partners, DAY)
    assert str(error.value) == (
        f"{missing}: missing columns 'reference', 'entry_type', 'currency', 'amount', 'booked_on', "
        "'value_date', 'counterparty', 'direction'; found 'entry_id'"
    )
    with pytest.raises(IngestError, match=r"broken\.parquet: cannot read as Parquet: "):
        read_ledger_file(broken, ledger, partners, DAY)


NEW_PARTNER_YAML = """
reporting_timezone: UTC
ledger:
  source: {kind: local, path: ledger, pattern: "ledger_{date:%Y-%m-%d}.csv"}
  format:
    columns: {partner: counterparty, currency: currency, amount: amount, booking_date: booked_on}
partners:
  checkout_ch:
    source: {kind: local, path: landing, pattern: "payouts_{date:%Y%m%d}.txt"}
    format:
      delimiter: "|"
      encoding: cp1252
      thousands_separator: "'"
      date_format: "%d.%m.%Y"
      default_record_type: payout
      columns: {reference: Payout ID, currency: Holding Currency, amount: Payout Amount,
                booking_date: Payout Date, value_date: Available On}
      sign: {mode: signed, negate: true}
    rules: [{name: exact_key, match_on: reference}]
"""


def test_a_new_csv_partner_needs_only_configuration(tmp_path: Path) -> None:
    config_path = tmp_path / "recon.yaml"
    config_path.write_text(NEW_PARTNER_YAML, encoding="utf-8")
    partner = load_config(config_path).partner("checkout_ch")
    path = write_lines(
        tmp_path,
        "payouts_20261102.txt",
        [
            "Payout ID|Holding Currency|Payout Amount|Payout Date|Available On|Note",
            "po_1|CHF|1'234.50|02.11.2026|04.11.2026|Zürich",
            "po_2|chf|-80|02.11.2026||",
        ],
        encoding="cp1252",
    )

    result = read_partner_file(path, partner, DAY)

    assert_contract(result)
    assert result.records.select(
        "reference", "record_type", "currency", "amount_minor", "value_date"
    ).rows() == [
        ("po_1", "payout", "CHF", -123450, date(2026, 11, 4)),
        ("po_2", "payout", "CHF", 8000, date(2026, 11, 2)),
    ]


def test_fees_written_as_negatives_are_flipped(tmp_path: Path) -> None:
    stripe = fixture_config().partner("stripe_us")
    negative_fees = stripe.model_copy(
        update={"format": stripe.format.model_copy(update={"fee_is_negative": True})}
    )
    path = write_lines(
        tmp_path, "stripe.csv", [STRIPE_HEADER, "txn_1,ORD-1,,charge,usd,4999,-175,2026-11-02,"]
    )

    result = read_partner_file(path, negative_fees, DAY)

    assert result.records.select("amount_minor", "fee_minor", "net_minor").row(0) == (4999, 175, 4824)


def test_rows_the_pandera_contract_rejects_are_quarantined(tmp_path: Path) -> None:
    config = fixture_config()
    partners = dict(config.partners)
    partners["adyen_eu"] = partners["adyen_eu"].model_copy(update={"id": "Adyen EU"})
    path = write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *LEDGER_ROWS])

    result = read_ledger_file(path, config.ledger, partners, DAY)

    assert_contract(result)
    assert result.records["source_line"].to_list() == [3, 4]
    rejected = "partner 'Adyen EU' fails schema check str_matches"
    assert reasons(result.quarantine) == {2: rejected, 5: rejected}
    assert result.quarantine.select("currency", "amount_minor", "raw").rows() == [
        ("EUR", 12000, LEDGER_ROWS[0]),
        ("KWD", -45250, LEDGER_ROWS[3]),
    ]


def test_two_partners_sharing_a_ledger_code_is_a_configuration_error(tmp_path: Path) -> None:
    config = fixture_config()
    partners = dict(config.partners)
    partners["stripe_eu"] = partners["stripe_us"].model_copy(update={"id": "stripe_eu"})
    path = write_lines(tmp_path, "ledger.csv", [LEDGER_HEADER, *LEDGER_ROWS])

    with pytest.raises(ConfigError, match="partners 'stripe_us' and 'stripe_eu' share ledger code 'STRIPE'"):
        read_ledger_file(path, config.ledger, partners, DAY)
