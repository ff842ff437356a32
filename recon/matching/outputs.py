"""The published shape of matches and breaks, built from the fast path and the cascade.

Both stages expose the same pair columns (p_id, l_id, ref, l_ref, p_currency, l_currency,
p_gross, p_net, l_amount, p_date, l_date, p_sort), so each output is one projection over
their union. Rows are sorted so that a rerun writes the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from recon.config import MatchRule
from recon.matching.fast_path import unique_pair_matches
from recon.matching.rules import tolerance
from recon.money_sql import major_text, money_text

CASCADE_PAIRS = """
    SELECT p_id, l_id, coalesce(p_ref, l_ref) AS ref, l_ref, p_currency, l_currency, p_gross, p_net,
           l_amount, p_date, l_date, p_sort, outcome, kind, detail
    FROM decided LEFT JOIN pool_p USING (p_id) LEFT JOIN pool_l USING (l_id)"""


def _unit(partner: str, business_date: date) -> str:
    return f"'{partner}' AS partner, DATE '{business_date.isoformat()}' AS business_date"


def _compares_net(rules: Sequence[MatchRule], rule_column: str) -> str:
    """Predicate: the rule named in `rule_column` compares the partner's net amount."""
    names = [f"'{rule.name}'" for rule in rules if rule.compare == "net"]
    return f"{rule_column} IN ({', '.join(names)})" if names else "FALSE"


def matches_query(partner: str, business_date: date, rules: Sequence[MatchRule], fast_path: bool) -> str:
    """All matched pairs, ordered by the partner record's line."""
    key_rules = [rule for rule in rules if rule.match_on == "reference"]

    def projection(rule: str) -> str:
        is_net = _compares_net(rules, rule)
        return f"""
            {_unit(partner, business_date)}, {rule} AS rule, p_id AS partner_record_id,
            l_id AS ledger_record_id, ref AS reference,
            CASE WHEN l_ref IS DISTINCT FROM ref THEN l_ref END AS ledger_reference, p_currency AS currency,
            CASE WHEN {is_net} THEN 'net' ELSE 'gross' END AS compared,
            p_gross AS partner_amount_minor, p_gross - p_net AS partner_fee_minor,
            l_amount AS ledger_amount_minor,
            CASE WHEN {is_net} THEN p_net ELSE p_gross END - l_amount AS amount_diff_minor,
            p_date AS partner_value_date, l_date AS ledger_value_date, p_date - l_date AS date_diff_days,
            p_sort AS sort_key"""

    parts = [f"SELECT {projection('outcome')} FROM ({CASCADE_PAIRS}) WHERE kind = 'match'"]
    if fast_path:
        parts.insert(0, f"SELECT {projection('rule')} FROM ({unique_pair_matches(key_rules)})")
    union = " UNION ALL ".join(parts)
    return f"SELECT * EXCLUDE (sort_key) FROM ({union}) ORDER BY sort_key"


def breaks_query(partner: str, business_date: date, rules: Sequence[MatchRule], fast_path: bool) -> str:
    """All breaks, with both sides' values where the break has two sides, ordered by record; each
    says in `detail` what was compared and which tolerance or window it failed."""
    projection = """
        CASE WHEN p_id IS NOT NULL THEN 'partner' ELSE 'ledger' END AS side,
        coalesce(p_id, l_id) AS record_id, p_id AS partner_record_id, l_id AS ledger_record_id,
        ref AS reference, coalesce(p_currency, l_currency) AS currency, p_currency AS partner_currency,
        l_currency AS ledger_currency, p_gross AS partner_amount_minor, l_amount AS ledger_amount_minor,
        CASE WHEN l_id IS NULL THEN p_gross WHEN p_id IS NULL THEN -l_amount
             WHEN p_currency = l_currency THEN p_gross - l_amount END AS amount_diff_minor,
        p_date AS partner_value_date, l_date AS ledger_value_date, p_date - l_date AS date_diff_days,
        p_gross, p_net, l_amount, p_date, l_date"""
    parts = [
        f"SELECT outcome AS break_type, {projection}, detail FROM ({CASCADE_PAIRS}) WHERE kind = 'break'"
    ]
    if fast_path:
        parts.insert(
            0,
            f"SELECT break_type, {projection}, NULL AS detail FROM fast_mismatches",
        )
    union = " UNION ALL ".join(parts)
    return f"""
        SELECT substr(sha256('{partner}|' || side || '|' || record_id), 1, 16) AS break_id,
               {_unit(partner, business_date)},
               * EXCLUDE (detail, p_gross, p_net, l_amount, p_date, l_date),
               coalesce(detail, {explanation(rules)}) AS detail
        FROM ({union})
        ORDER BY side, record_id"""


def explanation(rules: Sequence[MatchRule]) -> str:
    """SQL text of why a break's records were not matched, from its type and the partner's rules.
    Reads the pair columns p_gross, p_net, l_amount, p_date, l_date, currency, reference."""
    key_rules = [rule for rule in rules if rule.match_on == "reference"]
    nokey_rules = [rule for rule in rules if rule.match_on == "none"]

    def allowed(rule: MatchRule) -> str:
        return f"'{rule.name} ' || {major_text(tolerance(rule), 'currency')} || ' on {rule.compare}'"

    def windows(chosen: Sequence[MatchRule]) -> str:
        return ", ".join(f"{rule.name} {_window(rule)}" for rule in chosen)

    amounts = " || ', ' || ".join(allowed(rule) for rule in key_rules) or "'none'"
    nokey = (
        " || '; none of the same currency, amount and value date either (' || "
        + " || ', ' || ".join(f"{allowed(rule)} || ' within {_window(rule)} days'" for rule in nokey_rules)
        + " || ')'"
        if nokey_rules
        else " || '; no rule matches without a reference'"
    )

    def missing(other: str) -> str:
        return (
            f"CASE WHEN reference IS NULL THEN 'no reference' "
            f"ELSE 'no {other} record with reference ' || reference END{nokey}"
        )

    return f"""CASE break_type
        WHEN 'amount_mismatch' THEN 'amounts differ by ' || {money_text("p_gross - l_amount", "currency")}
            || ' (partner ' || {major_text("p_gross", "currency")} || ', ledger '
            || {major_text("l_amount", "currency")} || '); key rules allow ' || {amounts}
        WHEN 'date_mismatch' THEN 'value dates differ by ' || (p_date - l_date) || ' days (partner '
            || p_date || ', ledger ' || l_date || '); key rule windows {windows(key_rules)} days'
        WHEN 'currency_mismatch' THEN 'partner currency ' || partner_currency || ', ledger currency '
            || ledger_currency || ' for the same reference'
        WHEN 'missing_in_ledger' THEN {missing("ledger")}
        WHEN 'missing_at_partner' THEN {missing("partner")}
        END"""


def _window(rule: MatchRule) -> str:
    return f"-{rule.date_window.days_before}..+{rule.date_window.days_after}"
