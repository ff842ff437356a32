"""A generated partner: its id, ledger code, file layout, rule cascade and landing path.

Partner n (1-based) gets id gen_pn and the n-th layout and rule set in rotation, so a few
partners already cover every layout and every rule set.
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.synth.layouts import PARTNER_LAYOUTS, Layout
from recon.synth.rules import RULE_SETS, RuleSet

LANDING_DIR = "landing"


@dataclass(frozen=True)
class GeneratedPartner:
    """Partner number n of a generated set (1-based)."""

    number: int

    @property
    def id(self) -> str:
        return f"gen_p{self.number}"

    @property
    def ledger_code(self) -> str:
        return self.id.upper()

    @property
    def layout(self) -> Layout:
        return PARTNER_LAYOUTS[(self.number - 1) % len(PARTNER_LAYOUTS)]

    @property
    def rules(self) -> RuleSet:
        return RULE_SETS[(self.number - 1) % len(RULE_SETS)]

    @property
    def directory(self) -> str:
        return f"{LANDING_DIR}/{self.id}"

    @property
    def pattern(self) -> str:
        return f"{self.id}_settlement_{{date:%Y%m%d}}.{self.layout.extension}"

    def as_config(self) -> dict:
        return {
            "name": f"Generated partner {self.number} ({self.layout.name})",
            "ledger_code": self.ledger_code,
            "source": {"kind": "local", "path": self.directory, "pattern": self.pattern},
            "format": self.layout.format_config(),
            "rules": self.rules.as_config(),
        }
