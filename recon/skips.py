"""Days that will never come: ops close them explicitly, and later days then run.

A business day whose file never arrives (the partner had nothing to send and sends no empty
file, or the file is lost for good) would otherwise stop every later day of the partner, since
days run in order. `skip_day` records who closed it, when and why, in
`partners/P/results/date=D/skip.json`; the next day then follows the last reconciled day, and the
ledger entries of the skipped day roll into it. Reconciling the day after all (its file turned
up) removes the record and recomputes the later days, as any re-run does.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from recon.config import ReconConfig
from recon.errors import ReconError
from recon.store import Layout, atomic_output
from recon.versions import partner_versions


def skip_day(
    config: ReconConfig, layout: Layout, partner_id: str, business_date: date, reason: str, actor: str
) -> Path:
    """Record that `business_date` of the partner will never be reconciled; returns the record."""
    with partner_versions(layout, [partner_id], config.engine.lock_timeout_seconds) as draft:
        _record_skip(config, draft, partner_id, business_date, reason, actor)
    return layout.skip_record(partner_id, business_date)


def _record_skip(
    config: ReconConfig, layout: Layout, partner_id: str, business_date: date, reason: str, actor: str
) -> None:
    partner = config.partner(partner_id)
    unit = f"{partner_id} {business_date}"
    if not reason.strip():
        raise ReconError(f"{unit}: a skip needs a reason")
    if not actor.strip():
        raise ReconError(f"{unit}: a skip needs an actor (--actor or RECON_ACTOR)")
    if not partner.calendar.is_business_day(business_date):
        raise ReconError(f"{unit}: not a business day ({partner.calendar.describe()}); nothing to skip")
    if layout.result("carry", partner_id, business_date).is_file():
        raise ReconError(f"{unit}: already reconciled; a reconciled day cannot be skipped")
    record = layout.skip_record(partner_id, business_date)
    if record.is_file():
        earlier = json.loads(record.read_text(encoding="utf-8"))
        raise ReconError(f"{unit}: already skipped by {earlier['actor']} at {earlier['recorded_at']}")
    entry = {
        "partner": partner_id,
        "business_date": business_date.isoformat(),
        "reason": reason.strip(),
        "actor": actor.strip(),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    record.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(record) as staged:
        staged.write_text(json.dumps(entry, sort_keys=True) + "\n", encoding="utf-8")


def skipped_days(layout: Layout, partner_id: str) -> list[date]:
    """Days of the partner closed with `skip_day` and not reconciled since."""
    folder = layout.partner_root(partner_id) / "results"
    return sorted(
        date.fromisoformat(path.parent.name.removeprefix("date=")) for path in folder.glob("date=*/skip.json")
    )


def skip_details(layout: Layout, partner_id: str, business_date: date) -> dict | None:
    """The recorded skip of a day (partner, business_date, reason, actor, recorded_at), if any."""
    record = layout.skip_record(partner_id, business_date)
    return json.loads(record.read_text(encoding="utf-8")) if record.is_file() else None
