"""The per-partner summary printed at the end of a run: what ops looks at first.

Cells are plain text (statuses are styled Text), so nothing in them is read as console markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from recon.money import format_minor

if TYPE_CHECKING:
    from recon.pipeline import UnitResult

NUMERIC = ("partner rows", "ledger rows", "matched", "match rate", "quarantined")


def summary_table(results: Sequence[UnitResult]) -> Table:
    """One line per partner and date: rows in, match rate, breaks by type, value at risk per
    currency in its major units (never summed across currencies), quarantined, status."""
    table = Table(title="Reconciliation summary", title_justify="left")
    headers = (
        "date",
        "partner",
        "partner rows",
        "ledger rows",
        "matched",
        "match rate",
        "breaks",
        "value at risk",
        "quarantined",
    )
    for header in (*headers, "status"):
        table.add_column(header, justify="right" if header in NUMERIC else "left")
    for result in results:
        metrics = result.metrics
        if metrics is None:
            table.add_row(str(result.business_date), result.partner, *[""] * 7, Text("failed", style="red"))
            continue
        breaks = "\n".join(f"{kind} {count}" for kind, count in metrics.breaks_by_type.items()) or "none"
        at_risk = "\n".join(
            f"{format_minor(amount, currency)} {currency}"
            for currency, amount in metrics.value_at_risk_minor.items()
            if amount
        )
        table.add_row(
            str(result.business_date),
            result.partner,
            f"{metrics.partner_rows:,}",
            f"{metrics.ledger_rows:,}",
            f"{metrics.matched_pairs:,}",
            f"{metrics.match_rate:.1%}",
            breaks,
            at_risk or "none",
            f"{metrics.quarantined_rows:,}",
            _status(result),
        )
    return table


def _status(result: UnitResult) -> Text:
    metrics = result.metrics
    if metrics is not None and not metrics.balanced:
        return Text("unbalanced", style="red")
    if not result.ok:
        return Text("failed", style="red")
    return Text("balanced", style="green")
