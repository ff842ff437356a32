"""File-name patterns such as 'acme_{date:%Y%m%d}.csv': one `{date:FORMAT}` field and literal text.

Checked when the configuration loads, so a typo fails there, naming its key, instead of at run
time for every partner; the same parse lets a folder listing be read back into business dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from string import Formatter

SAMPLE_DAY = date(2026, 12, 31)
EXAMPLE = "e.g. 'acme_{date:%Y%m%d}.csv'"


@dataclass(frozen=True)
class DatePattern:
    """The literal text around the date and the strftime format of the date."""

    prefix: str
    date_format: str
    suffix: str

    def day_of(self, name: str) -> date | None:
        """The business date a file name stands for, or None when it does not fit the pattern
        (strptime alone would read '2026110' as 2026-01-10 for '%Y%m%d')."""
        if len(name) < len(self.prefix) + len(self.suffix):
            return None
        if not (name.startswith(self.prefix) and name.endswith(self.suffix)):
            return None
        middle = name[len(self.prefix) : len(name) - len(self.suffix)]
        try:
            day = datetime.strptime(middle, self.date_format).date()
        except ValueError:
            return None
        return day if day.strftime(self.date_format) == middle else None


def _quoted(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def parse_pattern(pattern: str) -> DatePattern:
    """Split a pattern; ValueError with a one-line reason when it is not exactly one usable date."""
    try:
        parts = list(Formatter().parse(pattern))
    except ValueError as exc:
        raise ValueError(f"{_quoted(pattern)}: {exc} (write a literal brace as '{{{{' or '}}}}')") from None
    fields = [(field, spec, conversion) for _text, field, spec, conversion in parts if field is not None]
    if not fields:
        raise ValueError(f"{_quoted(pattern)} has no {{date:FORMAT}} field, {EXAMPLE}")
    if len(fields) > 1:
        raise ValueError(f"{_quoted(pattern)} has {len(fields)} fields; it takes one {{date:FORMAT}}")
    [(field, spec, conversion)] = fields
    if field != "date" or conversion is not None:
        shown = "{" + field + (f"!{conversion}" if conversion else "") + "}"
        raise ValueError(f"{_quoted(pattern)}: unknown field {shown}; the only field is {{date:FORMAT}}")
    if not spec:
        raise ValueError(f"{_quoted(pattern)}: {{date}} needs a format, {EXAMPLE}")
    try:
        readable = datetime.strptime(SAMPLE_DAY.strftime(spec), spec).date() == SAMPLE_DAY
    except ValueError:
        readable = False
    if not readable:
        raise ValueError(f"{_quoted(pattern)}: date format {_quoted(spec)} does not spell out a whole day")
    at = next(index for index, part in enumerate(parts) if part[1] is not None)
    prefix = "".join(text for text, *_rest in parts[: at + 1])
    suffix = "".join(text for text, *_rest in parts[at + 1 :])
    return DatePattern(prefix, spec, suffix)
