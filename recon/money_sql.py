"""Amounts as people read them, in SQL: major units of the row's own currency, exactly.

Minor units are integers; a person reads `1234.56 EUR`, `1234 JPY`, `1.234 KWD`. The text is
built from integer division and remainder by the currency's scale (10^exponent), never through
a float, with the macros `minor_exponent(currency)` and `minor_scale(currency)` that
`create_currency_macros` defines from the ISO 4217 table.
"""

from __future__ import annotations

import duckdb

from recon.money import currency_exponents


def create_currency_macros(con: duckdb.DuckDBPyConnection, temporary: bool = True) -> None:
    """Define the macros on this connection (or, with `temporary=False`, in its database file)."""
    exponents = sorted(currency_exponents().items())
    as_map = ", ".join(f"'{code}': {exponent}" for code, exponent in exponents)
    kind = "TEMP MACRO" if temporary else "MACRO"
    con.execute(f"CREATE OR REPLACE {kind} minor_exponent(c) AS (MAP {{{as_map}}})[c]")
    con.execute(f"CREATE OR REPLACE {kind} minor_scale(c) AS (10::BIGINT ** minor_exponent(c))::BIGINT")


def major_text(amount: str, currency: str) -> str:
    """SQL expression: the signed minor-unit `amount` of `currency` in major units, as text
    ('-12.30'); NULL when either is NULL or the currency is unknown."""
    scale, exponent = f"minor_scale({currency})", f"minor_exponent({currency})"
    return (
        f"(CASE WHEN {amount} < 0 THEN '-' ELSE '' END || (abs({amount}) // {scale})::VARCHAR || "
        f"CASE WHEN {exponent} > 0 THEN '.' || lpad((abs({amount}) % {scale})::VARCHAR, {exponent}, '0') "
        f"ELSE '' END)"
    )


def money_text(amount: str, currency: str) -> str:
    """SQL expression: `<major units> <currency>`, e.g. '1234.56 EUR'."""
    return f"({major_text(amount, currency)} || ' ' || {currency})"
