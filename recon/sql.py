"""Tiny helpers for composing DuckDB SQL text safely."""


def quote(text: str) -> str:
    """A SQL string literal (paths, ids): single quotes doubled so no value can end the literal."""
    return "'" + text.replace("'", "''") + "'"
