"""Parquet to the same raw frame as delimited text, so that one pipeline normalises both.

Native columns are rendered as the text the configuration describes: dates and datetimes with
`date_format`, decimals and integers with `decimal_separator`. Float amount columns are refused:
their values are binary approximations, and amounts must be exact. Rows are numbered as if the
file had a header line (the first row is line 2), so record ids match a CSV export of the same
rows; `raw` is the row's configured cells joined with the delimiter. Nested and binary columns
are refused.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from recon.config import FileFormat
from recon.errors import IngestError
from recon.ingest.layout import AMOUNT_FIELDS, check_columns, excerpt, unreadable


def read_parquet(
    path: Path, data: bytes, fmt: FileFormat, fields: dict[str, str], reporting_timezone: str
) -> pl.DataFrame:
    """Read the configured columns and render each as strings."""
    columns = list(dict.fromkeys(fields.values()))
    try:
        check_columns(path, fields, list(pl.read_parquet_schema(io.BytesIO(data))))
        table = pl.read_parquet(io.BytesIO(data), columns=columns)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise unreadable(path, "Parquet", exc) from None
    for name, dtype in table.schema.items():
        if not _renders_as_text(dtype):
            raise IngestError(
                f"{path}: column '{excerpt(name)}' is {excerpt(str(dtype))}; expected text, numbers or dates"
            )
    for field in AMOUNT_FIELDS:
        column = fields.get(field)
        if column is not None and table.schema[column].is_float():
            raise IngestError(
                f"{path}: column '{column}' is {table.schema[column]}; amounts must not be floats"
            )
    timezone = fmt.timezone or reporting_timezone
    text = table.select(_as_text(name, dtype, fmt, timezone) for name, dtype in table.schema.items())
    return text.select(
        line=pl.int_range(2, pl.len() + 2, dtype=pl.Int64),
        raw=pl.concat_str([pl.col(name).fill_null("") for name in columns], separator=fmt.delimiter),
        problem=pl.lit(None, pl.String),
        **{field: pl.col(column) for field, column in fields.items()},
    )


def _renders_as_text(dtype: pl.DataType) -> bool:
    """Scalar types only: a nested or binary column has no one text form (and bytes need not be
    UTF-8), so such a file is refused rather than rendered as something the partner never wrote."""
    plain = (pl.String, pl.Categorical, pl.Enum, pl.Boolean, pl.Null, pl.Date, pl.Datetime, pl.Time)
    return dtype.is_numeric() or isinstance(dtype, plain) or dtype in plain


def _as_text(name: str, dtype: pl.DataType, fmt: FileFormat, timezone: str) -> pl.Expr:
    column = pl.col(name)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return column.dt.convert_time_zone(timezone).dt.strftime(fmt.date_format)
    if isinstance(dtype, pl.Date | pl.Datetime):
        return column.cast(pl.Datetime("us")).dt.strftime(fmt.date_format)
    text = column.cast(pl.String)
    if dtype.is_decimal() and fmt.decimal_separator != ".":
        return text.str.replace(".", fmt.decimal_separator, literal=True)
    return text
