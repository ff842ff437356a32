"""Tiny helpers for composing DuckDB SQL text safely and reading small results."""

from typing import Any

import duckdb


def quote(text: str) -> str:
    """A SQL string literal (paths, ids): single quotes doubled so no value can end the literal."""
    return "'" + text.replace("'", "''") + "'"


def parquet(*paths: object) -> str:
    """A read_parquet call over one or more files, without hive partitioning: our folder names
    (partner=..., date=...) are already columns in the files and must not be added twice."""
    files = ", ".join(quote(str(path)) for path in paths)
    return f"read_parquet([{files}], hive_partitioning = false)"


def scalar(con: duckdb.DuckDBPyConnection, query: str) -> Any:
    """The single value of a one-row, one-column query. The result is fetched to its end: DuckDB
    keeps a partly fetched result open and refuses other work on the connection until it ends."""
    ((value,),) = con.execute(query).fetchall()
    return value


def first_row(con: duckdb.DuckDBPyConnection, query: str) -> tuple[Any, ...]:
    """The single row of a one-row query, fetched to its end (see `scalar`)."""
    (row,) = con.execute(query).fetchall()
    return row
