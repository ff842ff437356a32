"""The configured layout of a file: which column feeds which field, and the error when a file lacks one."""

from __future__ import annotations

from pathlib import Path

from recon.config import DebitCreditColumns, FileFormat, IndicatorColumn
from recon.errors import IngestError
from recon.printable import printable

AMOUNT_FIELDS = ("amount", "fee", "net", "debit", "credit")
EXCERPT = 80


def field_columns(fmt: FileFormat) -> dict[str, str]:
    """Map each field to its header in the file, for every column the configuration names.

    The keys are canonical field names plus `debit`/`credit` or `indicator` from the sign
    convention. Every column named here must exist in the file, even `entry_id`, which is not
    carried: a missing one means the layout is not the one configured.
    """
    fields = fmt.columns.model_dump(exclude_none=True)
    if isinstance(fmt.sign, DebitCreditColumns):
        fields |= {"debit": fmt.sign.debit, "credit": fmt.sign.credit}
    elif isinstance(fmt.sign, IndicatorColumn):
        fields["indicator"] = fmt.sign.column
    return fields


def check_columns(path: Path, fields: dict[str, str], found: list[str], hint: str = "") -> None:
    """Raise IngestError listing the configured columns the file lacks and the headers it has."""
    missing = [name for name in dict.fromkeys(fields.values()) if name not in found]
    if missing:
        listed = ", ".join(f"'{excerpt(name)}'" for name in missing)
        headers = excerpt(", ".join(f"'{name}'" for name in found), 4 * EXCERPT)
        raise IngestError(f"{path}: missing columns {listed}; found {headers}{hint}")


def unreadable(path: Path, what: str, exc: Exception) -> IngestError:
    """An IngestError for a file the reader library rejects, keeping the first line of its reason."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return IngestError(f"{path}: cannot read as {what}: {excerpt(reason, 2 * EXCERPT)}")


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """`text` with control characters escaped, cut to `limit` characters (marked with '...'), so no
    message echoes a whole file or drives a terminal."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
