"""Currencies and amounts in integer minor units, and their exact text in a file.

Items settled by a key get realistic sizes: a piecewise log-uniform spread of 5 to 20,000 major
units (USD-equivalent), scaled per currency. Items that reach the no-key stage get amounts from
spaced slots instead: slot k of a currency is base + k * spacing, with spacing beyond twice the
no-key tolerance, so two slots can never come within tolerance of each other. Text is produced
from the integers by integer division and zero padding: a float never touches an amount.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from recon.money import exponent_of
from recon.synth.draws import draw

MIN_AMOUNT_MINOR = 500
SLOT_BASE_MINOR = 1_000


@dataclass(frozen=True)
class Currency:
    """A settlement currency: its share of items (percent) and its size against USD cents."""

    code: str
    percent: int
    scale_num: int
    scale_den: int


CURRENCIES: tuple[Currency, ...] = (
    Currency("EUR", 38, 1, 1),
    Currency("USD", 25, 1, 1),
    Currency("GBP", 15, 1, 1),
    Currency("JPY", 10, 3, 2),
    Currency("CHF", 7, 1, 1),
    Currency("KWD", 5, 3, 1),
)
CODES = tuple(currency.code for currency in CURRENCIES)
CURRENCY = pl.Enum(CODES)
_BY_PERCENTILE = {
    bucket: currency.code for bucket, currency in enumerate(c for c in CURRENCIES for _ in range(c.percent))
}
_NEXT = dict(zip(CODES, CODES[1:] + CODES[:1], strict=True))
_SCALE_NUM = {currency.code: currency.scale_num for currency in CURRENCIES}
_SCALE_DEN = {currency.code: currency.scale_den for currency in CURRENCIES}
_EXPONENT = {code: exponent_of(code) for code in CODES}
_UNIT = {code: 10**exponent for code, exponent in _EXPONENT.items()}
# (share in percent, low, high) of the USD-cent-equivalent size of key-matched amounts.
_SIZE_BANDS = ((40, 500, 5_000), (40, 5_000, 50_000), (15, 50_000, 500_000), (5, 500_000, 2_000_000))
_BANDS_BY_PERCENTILE = [(low, high) for share, low, high in _SIZE_BANDS for _ in range(share)]
_LOW_BY_PERCENTILE = {bucket: low for bucket, (low, _) in enumerate(_BANDS_BY_PERCENTILE)}
_SPAN_BY_PERCENTILE = {bucket: high - low for bucket, (low, high) in enumerate(_BANDS_BY_PERCENTILE)}


def pick_currency(key: pl.Expr, seed: int, *labels: object) -> pl.Expr:
    return draw(key, 100, seed, "currency", *labels).replace_strict(_BY_PERCENTILE, return_dtype=CURRENCY)


def other_currency(currency: pl.Expr) -> pl.Expr:
    """A different currency, for items whose ledger entry was booked in the wrong one."""
    return currency.replace_strict(_NEXT, return_dtype=CURRENCY)


def _scaled(cents: pl.Expr, currency: pl.Expr) -> pl.Expr:
    num = currency.replace_strict(_SCALE_NUM, return_dtype=pl.Int64)
    den = currency.replace_strict(_SCALE_DEN, return_dtype=pl.Int64)
    return cents * num // den


def realistic_amount(key: pl.Expr, currency: pl.Expr, seed: int, *labels: object) -> pl.Expr:
    """A positive amount of at least MIN_AMOUNT_MINOR; about a third are round figures."""
    band = draw(key, 100, seed, "band", *labels)
    low = band.replace_strict(_LOW_BY_PERCENTILE, return_dtype=pl.Int64)
    span = band.replace_strict(_SPAN_BY_PERCENTILE, return_dtype=pl.Int64)
    cents = low + draw(key, 2**40, seed, "offset", *labels) % span
    whole = draw(key, 3, seed, "whole", *labels) == 0
    cents = pl.when(whole).then(cents - cents % 100).otherwise(cents)
    return _scaled(cents, currency)


def slot_amount(slot: pl.Expr, currency: pl.Expr, spacing: int) -> pl.Expr:
    """The positive amount of a no-key slot: slots of one currency lie `spacing` apart."""
    return _scaled(pl.lit(SLOT_BASE_MINOR, pl.Int64), currency) + slot * spacing


def unsigned_text(minor: pl.Expr, currency: pl.Expr, decimal_separator: str) -> pl.Expr:
    """|minor| in major units with exactly the currency's number of decimals (none for JPY)."""
    exponent = currency.replace_strict(_EXPONENT, return_dtype=pl.Int64)
    unit = currency.replace_strict(_UNIT, return_dtype=pl.Int64)
    whole = (minor.abs() // unit).cast(pl.String)
    fraction = (minor.abs() % unit).cast(pl.String).str.zfill(exponent)
    return (
        pl.when(exponent == 0)
        .then(whole)
        .otherwise(pl.concat_str(whole, pl.lit(decimal_separator), fraction))
    )
