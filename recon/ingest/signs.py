"""Sign conventions: how the configured columns give one signed amount (credits positive) and a fee.

Debit and credit cells, like indicator values, are compared after stripping; indicator values
are matched case-insensitively.
"""

from __future__ import annotations

import polars as pl

from recon.config import DebitCreditColumns, FileFormat, IndicatorColumn
from recon.ingest.amounts import parsed_amount
from recon.ingest.parsed import Parsed, join_errors, required


def signed_amount(fmt: FileFormat, labels: dict[str, str]) -> Parsed:
    """The row's gross amount in signed minor units, following `fmt.sign`, from `with_amounts` columns."""
    sign = fmt.sign
    if isinstance(sign, DebitCreditColumns):
        debit, credit = parsed_amount("debit"), parsed_amount("credit")
        both_empty = pl.col("debit").is_null() & pl.col("credit").is_null()
        value = pl.when(~both_empty).then(_zero_if_empty("credit", credit) - _zero_if_empty("debit", debit))
        empty = pl.when(both_empty).then(pl.lit(f"'{sign.debit}' and '{sign.credit}' are both empty"))
        return Parsed(value, join_errors(empty, debit.error, credit.error))
    amount = required(pl.col("amount"), labels["amount"], parsed_amount("amount"))
    if isinstance(sign, IndicatorColumn):
        direction = pl.col("indicator").str.to_uppercase()
        debits = [code.upper() for code in sign.debit_values]
        credits = [code.upper() for code in sign.credit_values]
        value = (
            pl.when(direction.is_in(debits))
            .then(-amount.value)
            .when(direction.is_in(credits))
            .then(amount.value)
        )
        unknown = pl.when(~direction.is_in(debits + credits).fill_null(False)).then(
            pl.format(
                "{} '{}' is neither debit ({}) nor credit ({})",
                pl.lit(labels["indicator"]),
                pl.col("indicator").fill_null(""),
                pl.lit(", ".join(sign.debit_values)),
                pl.lit(", ".join(sign.credit_values)),
            )
        )
        return Parsed(value, join_errors(amount.error, unknown))
    return Parsed(-amount.value if sign.negate else amount.value, amount.error)


def fee_amount(fmt: FileFormat, labels: dict[str, str]) -> Parsed:
    """The fee charged, positive, in minor units of the row's currency; 0 when absent or empty."""
    if "fee" not in labels:
        return Parsed.without_error(pl.lit(0, pl.Int64))
    fee = parsed_amount("fee")
    value = _zero_if_empty("fee", fee)
    return Parsed(-value if fmt.fee_is_negative else value, fee.error)


def _zero_if_empty(field: str, parsed: Parsed) -> pl.Expr:
    return pl.when(pl.col(field).is_null()).then(pl.lit(0, pl.Int64)).otherwise(parsed.value)
