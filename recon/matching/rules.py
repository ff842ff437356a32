"""SQL predicates for one match rule, shared by every stage so a rule means the same everywhere.

Expressions refer to a candidate pair's columns by fixed names: `p_gross`, `p_net`,
`l_amount`, `p_date`, `l_date`, `p_currency`, `l_currency`. Tolerance arithmetic is integer
only: the percent part is floor(|amount| * ppm / 1e6) computed in HUGEINT so it cannot
overflow.
"""

from __future__ import annotations

from collections.abc import Sequence

from recon.config import MatchRule


def compared_amount(rule: MatchRule) -> str:
    """The partner amount a rule compares with the ledger amount."""
    return "p_net" if rule.compare == "net" else "p_gross"


def amount_diff(rule: MatchRule) -> str:
    return f"({compared_amount(rule)} - l_amount)"


def tolerance(rule: MatchRule) -> str:
    """Allowed |amount difference| in minor units: the larger of the absolute and relative parts."""
    absolute = rule.amount_tolerance.minor
    ppm = rule.amount_tolerance.parts_per_million
    if ppm == 0:
        return str(absolute)
    relative = f"(abs({compared_amount(rule)})::HUGEINT * {ppm} // 1000000)::BIGINT"
    return f"greatest({absolute}, {relative})"


def amount_within(rule: MatchRule) -> str:
    if rule.amount_tolerance.minor == 0 and rule.amount_tolerance.parts_per_million == 0:
        return f"{compared_amount(rule)} = l_amount"
    return f"abs({amount_diff(rule)}) <= {tolerance(rule)}"


def date_within(rule: MatchRule) -> str:
    window = rule.date_window
    return f"(p_date - l_date) BETWEEN {-window.days_before} AND {window.days_after}"


def accepts(rule: MatchRule) -> str:
    """Everything a candidate pair must satisfy for this rule, apart from the key equality."""
    return f"(p_currency = l_currency AND {amount_within(rule)} AND {date_within(rule)})"


def first_accepting_rule(rules: Sequence[MatchRule]) -> str:
    """CASE expression naming the first rule of the cascade that accepts a pair, else NULL."""
    if not rules:
        return "NULL::VARCHAR"
    branches = " ".join(f"WHEN {accepts(rule)} THEN '{rule.name}'" for rule in rules)
    return f"CASE {branches} END"


def mismatch_type(key_rules: Sequence[MatchRule]) -> str:
    """Break type of a same-reference pair that no key rule accepted (docs/matching.md, stage 3)."""
    any_amount = " OR ".join(f"({amount_within(rule)})" for rule in key_rules) or "FALSE"
    return (
        "CASE WHEN p_currency <> l_currency THEN 'currency_mismatch' "
        f"WHEN NOT ({any_amount}) THEN 'amount_mismatch' ELSE 'date_mismatch' END"
    )
