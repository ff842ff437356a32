"""Sign conventions: how the configured columns give one signed amount (credits positive) and a fee.

Debit and credit cells, like indicator values, are compared after stripping; indicator values
are matched case-insensitively. An unsigned column (debit, credit, or the amount beside an
indicator) holding a negative value, and a row with both debit and credit filled, are errors
rather than a sign flip or a netting: the file's figure would change silently, so such a row
has no amount. A debit or credit of zero counts as empty, since some partners write `0,00` in
the unused column.
"""

from __future__ import annotations

import polars as pl

from recon.config import DebitCreditColumns, FileFormat, IndicatorColumn, SignedAmount
from recon.ingest.amounts import parsed_amount
from recon.ingest.parsed import Parsed, join_errors, required, shown


def signed_amount(fmt: FileFormat, labels: dict[str, str]) -> Parsed:
    """The row's gross amount in signed minor units, following `fmt.sign`, from `with_amounts` columns."""
    sign = fmt.sign
    if isinstance(sign, DebitCreditColumns):
        debit, credit = parsed_amount("debit"), parsed_amount("credit")
        both_empty = pl.col("debit").is_null() & pl.col("credit").is_null()
        both_filled = _filled("debit", debit) & _filled("credit", credit)
        unknown = both_empty | both_filled | _is_negative("debit") | _is_negative("credit")
        value = pl.when(~unknown).then(_zero_if_empty("credit", credit) - _zero_if_empty("debit", debit))
        empty = pl.when(both_empty).then(pl.lit(f"'{sign.debit}' and '{sign.credit}' are both empty"))
        both = pl.when(both_filled).then(
            pl.format(
                "'{}' and '{}' are both filled ('{}' and '{}'); a row is a debit or a credit",
                pl.lit(sign.debit),
                pl.lit(sign.credit),
                shown(pl.col("debit")),
                shown(pl.col("credit")),
            )
        )
        return Parsed(
            value,
            join_errors(
                empty,
                both,
                debit.error,
                _negative("debit", sign.debit),
                credit.error,
                _negative("credit", sign.credit),
            ),
        )
    amount = required(pl.col("amount"), labels["amount"], parsed_amount("amount"))
    if isinstance(sign, IndicatorColumn):
        unknown = pl.when(~pl.col("indicator").str.to_uppercase().is_in(_codes(sign)).fill_null(False)).then(
            pl.format(
                "{} '{}' is neither debit ({}) nor credit ({})",
                pl.lit(labels["indicator"]),
                shown(pl.col("indicator").fill_null("")),
                pl.lit(", ".join(sign.debit_values)),
                pl.lit(", ".join(sign.credit_values)),
            )
        )
        error = join_errors(amount.error, _negative("amount", labels["amount"]), unknown)
        return Parsed(pl.when(~_is_negative("amount")).then(_directed(fmt, amount.value)), error)
    return Parsed(_directed(fmt, amount.value), amount.error)


def fee_amount(fmt: FileFormat, labels: dict[str, str]) -> Parsed:
    """The fee charged, positive, in minor units of the row's currency; 0 when absent or empty."""
    if "fee" not in labels:
        return Parsed.without_error(pl.lit(0, pl.Int64))
    fee = parsed_amount("fee")
    value = _zero_if_empty("fee", fee)
    return Parsed(-value if fmt.fee_is_negative else value, fee.error)


def net_error(fmt: FileFormat, labels: dict[str, str], amount: Parsed, fee: Parsed) -> pl.Expr:
    """An error when the file's net column is not gross minus fee (null without a net column).

    The net is written like the gross: signed in signed mode (negated along with it), unsigned
    with the row's indicator in indicator mode, signed (credits positive) with debit/credit columns.
    """
    if "net" not in labels:
        return pl.lit(None, pl.String)
    net = parsed_amount("net")
    written = net.value if isinstance(fmt.sign, DebitCreditColumns) else _directed(fmt, net.value)
    gross = pl.col("amount") if "amount" in labels else pl.coalesce(pl.col("credit"), pl.col("debit"))
    fee_cell = pl.col("fee").fill_null("0") if "fee" in labels else pl.lit("0")
    mismatch = pl.when(written != amount.value - fee.value).then(
        pl.format(
            "{} '{}' is not gross '{}' minus fee '{}'",
            pl.lit(labels["net"]),
            shown(pl.col("net")),
            shown(gross),
            shown(fee_cell),
        )
    )
    return join_errors(required(pl.col("net"), labels["net"], net).error, mismatch)


def _directed(fmt: FileFormat, value: pl.Expr) -> pl.Expr:
    """An amount as written in the file's sign convention to signed minor units (credits positive)."""
    sign = fmt.sign
    if isinstance(sign, IndicatorColumn):
        direction = pl.col("indicator").str.to_uppercase()
        return (
            pl.when(direction.is_in([code.upper() for code in sign.debit_values]))
            .then(-value)
            .when(direction.is_in([code.upper() for code in sign.credit_values]))
            .then(value)
        )
    return -value if isinstance(sign, SignedAmount) and sign.negate else value


def _codes(sign: IndicatorColumn) -> list[str]:
    return [code.upper() for code in (*sign.debit_values, *sign.credit_values)]


def _is_negative(field: str) -> pl.Expr:
    return pl.col(field).str.starts_with("-").fill_null(False)


def _negative(field: str, label: str) -> pl.Expr:
    return pl.when(_is_negative(field)).then(
        pl.format("negative amount '{}' in unsigned column '{}'", shown(pl.col(field)), pl.lit(label))
    )


def _filled(field: str, parsed: Parsed) -> pl.Expr:
    """A cell that holds something other than zero (an unparsable cell counts as filled)."""
    return pl.col(field).is_not_null() & (parsed.value != 0).fill_null(True)


def _zero_if_empty(field: str, parsed: Parsed) -> pl.Expr:
    return pl.when(pl.col(field).is_null()).then(pl.lit(0, pl.Int64)).otherwise(parsed.value)
