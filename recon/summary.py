"""The per-partner summary printed at the end of a run: what ops looks at first."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from recon.pipeline import UnitResult


def _rows(result: UnitResult, side: str, column: str) -> int:
    if result.balance is None:
        return 0
    return int(result.balance.filter(result.balance["side"] == side)[column].sum())


def summary_table(results: Sequence[UnitResult]) -> Table:
    """One line per partner and date: rows in, match rate, breaks by type, quarantined, balance."""
    table = Table(title="Reconciliation summary", title_justify="left")
    for header in ("date", "partner", "partner rows", "ledger rows", "matched", "match rate", "breaks"):
        table.add_column(header, justify="right" if header.endswith(("rows", "matched", "rate")) else "left")
    table.add_column("quarantined", justify="right")
    table.add_column("status")
    for result in results:
        if not result.ok:
            table.add_row(str(result.business_date), result.partner, *[""] * 6, "[red]failed[/]")
            continue
        partner_rows = _rows(result, "partner", "rows_in")
        matched = sum(result.matches_by_rule.values())
        rate = f"{matched / partner_rows:.1%}" if partner_rows else "-"
        breaks = "\n".join(f"{kind} {count}" for kind, count in result.breaks_by_type.items()) or "none"
        quarantined = _rows(result, "partner", "rows_quarantined") + _rows(
            result, "ledger", "rows_quarantined"
        )
        table.add_row(
            str(result.business_date),
            result.partner,
            f"{partner_rows:,}",
            f"{_rows(result, 'ledger', 'rows_in'):,}",
            f"{matched:,}",
            rate,
            breaks,
            f"{quarantined:,}",
            "[green]balanced[/]",
        )
    return table
