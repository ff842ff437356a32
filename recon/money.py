"""Currency exponents (ISO 4217) so that every amount is held as exact integer minor units."""

from functools import cache

import iso4217


@cache
def currency_exponents() -> dict[str, int]:
    """Map each active ISO 4217 code to its number of minor-unit digits (JPY 0, USD 2, KWD 3).

    Codes without an exponent (precious metals, testing codes) are left out: they are not
    settlement currencies, so a row carrying one is quarantined as an unknown currency.
    """
    return {c.code: c.exponent for c in iso4217.Currency if c.exponent is not None}


def exponent_of(currency: str) -> int:
    """Minor-unit digits of one currency code; KeyError for an unknown code."""
    return currency_exponents()[currency]


def format_minor(amount_minor: int, currency: str) -> str:
    """Render minor units as a major-unit decimal string without going through floats."""
    exponent = exponent_of(currency)
    sign = "-" if amount_minor < 0 else ""
    digits = str(abs(amount_minor)).rjust(exponent + 1, "0")
    if exponent == 0:
        return f"{sign}{digits}"
    return f"{sign}{digits[:-exponent]}.{digits[-exponent:]}"
