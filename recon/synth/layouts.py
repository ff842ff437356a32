"""File layouts: one description gives both the config's `format` block and the rendered file.

Because the YAML and the written columns come from the same `Layout`, a generated file can never
disagree with the configuration that declares it. Partners rotate between the partner layouts;
the ledger export has its own. Layouts use no thousands separator and no quoting, so a value is
read back exactly as the integer it was rendered from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from recon.synth.amounts import unsigned_text

SIGN_COLUMNS = ("debit", "credit", "direction")


@dataclass(frozen=True)
class Layout:
    """A delimited layout; `columns` maps canonical fields (and sign columns) to headers, in file order."""

    name: str
    extension: str
    delimiter: str
    decimal_separator: Literal[".", ","]
    amount_unit: Literal["major", "minor"]
    date_format: str
    sign_mode: Literal["signed", "debit_credit", "indicator"]
    columns: tuple[tuple[str, str], ...]
    record_types: dict[str, str]
    indicator_values: tuple[str, str] = ("D", "C")

    def _header(self, field: str) -> str:
        return dict(self.columns)[field]

    def _sign_config(self) -> dict:
        if self.sign_mode == "debit_credit":
            return {"mode": "debit_credit", "debit": self._header("debit"), "credit": self._header("credit")}
        if self.sign_mode == "indicator":
            debit, credit = self.indicator_values
            return {
                "mode": "indicator",
                "column": self._header("direction"),
                "debit_values": [debit],
                "credit_values": [credit],
            }
        return {"mode": "signed"}

    def format_config(self) -> dict:
        """The `format` block of recon.yaml for files in this layout."""
        return {
            "delimiter": self.delimiter,
            "decimal_separator": self.decimal_separator,
            "amount_unit": self.amount_unit,
            "date_format": self.date_format,
            "columns": {field: header for field, header in self.columns if field not in SIGN_COLUMNS},
            "sign": self._sign_config(),
            "record_types": dict(self.record_types),
        }

    def _amount_text(self, minor: pl.Expr) -> pl.Expr:
        if self.amount_unit == "minor":
            return minor.abs().cast(pl.String)
        return unsigned_text(minor, pl.col("currency"), self.decimal_separator)

    def _expressions(self) -> dict[str, pl.Expr]:
        amount, negative = pl.col("amount_minor"), pl.col("amount_minor") < 0
        text = self._amount_text(amount)
        debit, credit = self.indicator_values
        labels = {canonical: label for label, canonical in self.record_types.items()}
        signed = pl.concat_str(pl.when(negative).then(pl.lit("-")).otherwise(pl.lit("")), text)
        return {
            "reference": pl.col("reference"),
            "partner_reference": pl.col("partner_reference"),
            "batch_id": pl.col("batch_id"),
            "entry_id": pl.col("entry_id"),
            "partner": pl.col("partner_code"),
            "record_type": pl.col("record_type").replace_strict(labels, return_dtype=pl.String),
            "currency": pl.col("currency"),
            "amount": signed if self.sign_mode == "signed" else text,
            "debit": pl.when(negative).then(text),
            "credit": pl.when(~negative).then(text),
            "direction": pl.when(negative).then(pl.lit(debit)).otherwise(pl.lit(credit)),
            "fee": self._amount_text(pl.col("fee_minor")),
            "booking_date": pl.col("booking_date").dt.strftime(self.date_format),
            "value_date": pl.col("value_date").dt.strftime(self.date_format),
        }

    def render(self, records: pl.LazyFrame) -> pl.LazyFrame:
        """The file's columns as text, in file order; None is written as an empty field."""
        expressions = self._expressions()
        return records.select(**{header: expressions[field] for field, header in self.columns})

    def write(self, records: pl.DataFrame, path: Path) -> None:
        """Stream the rendered text to disk, so the text of a whole file is never held in memory."""
        self.render(records.lazy()).sink_csv(path, separator=self.delimiter)


PARTNER_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        name="signed_major",
        extension="csv",
        delimiter=",",
        decimal_separator=".",
        amount_unit="major",
        date_format="%Y-%m-%d",
        sign_mode="signed",
        columns=(
            ("partner_reference", "balance_transaction_id"),
            ("batch_id", "payout_id"),
            ("record_type", "reporting_category"),
            ("reference", "order_id"),
            ("currency", "currency"),
            ("amount", "gross"),
            ("fee", "fee"),
            ("booking_date", "created_date"),
            ("value_date", "available_on"),
        ),
        record_types={"charge": "payment", "refund": "refund"},
    ),
    Layout(
        name="debit_credit_comma",
        extension="csv",
        delimiter=";",
        decimal_separator=",",
        amount_unit="major",
        date_format="%d.%m.%Y",
        sign_mode="debit_credit",
        columns=(
            ("partner_reference", "Psp Reference"),
            ("reference", "Merchant Reference"),
            ("batch_id", "Batch Number"),
            ("record_type", "Type"),
            ("currency", "Gross Currency"),
            ("debit", "Gross Debit (GC)"),
            ("credit", "Gross Credit (GC)"),
            ("fee", "Commission (GC)"),
            ("booking_date", "Booking Date"),
            ("value_date", "Value Date"),
        ),
        record_types={"Settled": "payment", "Refunded": "refund"},
    ),
    Layout(
        name="indicator_minor",
        extension="tsv",
        delimiter="\t",
        decimal_separator=".",
        amount_unit="minor",
        date_format="%Y/%m/%d",
        sign_mode="indicator",
        columns=(
            ("partner_reference", "Transaction ID"),
            ("reference", "Invoice ID"),
            ("record_type", "Transaction Event Code"),
            ("currency", "Currency"),
            ("amount", "Gross Amount (minor)"),
            ("direction", "Debit or Credit"),
            ("fee", "Fee Amount (minor)"),
            ("booking_date", "Transaction Date"),
            ("value_date", "Value Date"),
        ),
        record_types={"T0006": "payment", "T1107": "refund"},
        indicator_values=("DR", "CR"),
    ),
)

LEDGER_LAYOUT = Layout(
    name="ledger",
    extension="csv",
    delimiter=",",
    decimal_separator=".",
    amount_unit="major",
    date_format="%Y-%m-%d",
    sign_mode="indicator",
    columns=(
        ("entry_id", "entry_id"),
        ("partner", "counterparty"),
        ("reference", "reference"),
        ("record_type", "entry_type"),
        ("currency", "currency"),
        ("amount", "amount"),
        ("direction", "direction"),
        ("booking_date", "booked_on"),
        ("value_date", "value_date"),
    ),
    record_types={"SALE": "payment", "REFUND": "refund"},
)
