"""Tiny helpers for composing DuckDB SQL text safely."""


def quote(text: str) -> str:
    """A SQL string literal (paths, ids): single quotes doubled so no value can end the literal."""
    return "'" + text.replace("'", "''") + "'"


def parquet(*paths: object) -> str:
    """A read_parquet call over one or more files, without hive partitioning: our folder names
    (partner=..., date=...) are already columns in the files and must not be added twice."""
    files = ", ".join(quote(str(path)) for path in paths)
    return f"read_parquet([{files}], hive_partitioning = false)"
