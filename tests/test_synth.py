"""The generator writes loadable, reproducible files whose truth is what docs/matching.md yields.

The last test reads the files back through the config, independently of recon.ingest, and runs a
plain brute-force reading of the contract over them: the truth must equal its outcome record for
record, under either reading of "partner amount" for net rules.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from recon.config import BREAK_TYPES, FileFormat, MatchRule, ReconConfig, load_config
from recon.money import exponent_of
from recon.synth import GeneratedSet, generate

OUTCOMES = {"matched", *BREAK_TYPES}
PAIRED = {"matched", "amount_mismatch", "currency_mismatch", "date_mismatch"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedSet:
    return generate(tmp_path_factory.mktemp("synth"), rows=3_000, seed=11, partners=3, days=2)


@pytest.fixture(scope="module")
def truth(generated: GeneratedSet) -> pl.DataFrame:
    return pl.read_parquet(generated.truth_path)


@pytest.fixture(scope="module")
def config(generated: GeneratedSet) -> ReconConfig:
    return load_config(generated.config_path)


def _files(config: ReconConfig, dates: tuple[date, ...]) -> list[tuple[Path, FileFormat]]:
    sources = [(partner.source, partner.format) for partner in config.partners.values()]
    sources.append((config.ledger.source, config.ledger.format))
    return [(source.path / source.file_name(day), fmt) for source, fmt in sources for day in dates]


def _bytes_of(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def test_config_loads_and_declares_every_written_file(generated: GeneratedSet, config: ReconConfig) -> None:
    assert tuple(config.partners) == generated.partner_ids == ("gen_p1", "gen_p2", "gen_p3")
    assert config.data_dir == generated.config_path.parent / "data"
    assert {partner.format.sign.mode for partner in config.partners.values()} == {
        "signed",
        "debit_credit",
        "indicator",
    }
    for partner in config.partners.values():
        assert [rule.name for rule in partner.rules] == ["exact_key", "key_tolerance", "amount_date"]
    declared = {path for path, _ in _files(config, generated.dates)}
    written = {path for path in generated.config_path.parent.rglob("*.?sv")}
    assert declared == written


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first, again, other = tmp_path / "first", tmp_path / "again", tmp_path / "other"
    for root, seed in ((first, 5), (again, 5), (other, 6)):
        generate(root, rows=1_000, seed=seed, partners=2, days=2)
    assert _bytes_of(first) == _bytes_of(again)
    first_files, other_files = _bytes_of(first), _bytes_of(other)
    assert first_files.keys() == other_files.keys()
    assert all(first_files[name] != other_files[name] for name in first_files if name != "recon.yaml")


def test_rows_is_records_per_side_per_partner_day(generated: GeneratedSet, truth: pl.DataFrame) -> None:
    counts = truth.group_by("side", "partner", "business_date").len()
    assert counts.height == 2 * len(generated.partner_ids) * len(generated.dates)
    assert counts.get_column("len").unique().to_list() == [generated.rows]
    assert generated.partner_records == generated.ledger_records == 18_000


def test_truth_covers_every_outcome_and_currency(
    config: ReconConfig, generated: GeneratedSet, truth: pl.DataFrame
) -> None:
    for (partner, side), group in truth.group_by("partner", "side"):
        expected = set(group.get_column("expected"))
        assert expected == OUTCOMES - {"missing_at_partner" if side == "partner" else "missing_in_ledger"}
        rules = set(group.get_column("expected_rule").drop_nulls())
        assert rules == {"exact_key", "key_tolerance", "amount_date"}, partner
    records = _read_records(config, generated.dates)
    currencies = {record.currency for record in records}
    assert {"EUR", "USD", "GBP", "CHF", "JPY", "KWD"} <= currencies
    for currency in currencies:
        assert any(record.amount < 0 for record in records if record.currency == currency)


def test_truth_record_ids_are_exactly_the_data_lines(
    config: ReconConfig, generated: GeneratedSet, truth: pl.DataFrame
) -> None:
    lines = []
    for path, _ in _files(config, generated.dates):
        data_lines = len(path.read_text(encoding="utf-8").splitlines()) - 1
        lines.extend(f"{path.name}:{line}" for line in range(2, data_lines + 2))
    assert sorted(truth.get_column("record_id").to_list()) == sorted(lines)


def test_truth_is_internally_consistent(truth: pl.DataFrame) -> None:
    assert truth.get_column("record_id").is_unique().all()
    assert set(truth.get_column("expected")) == OUTCOMES
    paired = truth.filter(pl.col("counterpart_record_id").is_not_null())
    assert set(paired.get_column("expected")) == PAIRED
    assert truth.filter(pl.col("expected").is_in(PAIRED)).height == paired.height
    assert paired.get_column("counterpart_record_id").is_unique().all()
    back = paired.join(
        paired.select(
            counterpart_record_id="record_id",
            back="counterpart_record_id",
            other_side="side",
            other="expected",
        ),
        on="counterpart_record_id",
    )
    assert back.height == paired.height
    assert (back.get_column("back") == back.get_column("record_id")).all()
    assert (back.get_column("other_side") != back.get_column("side")).all()
    assert (back.get_column("other") == back.get_column("expected")).all()
    matched = truth.get_column("expected") == "matched"
    assert (truth.get_column("expected_rule").is_not_null() == matched).all()
    ambiguous = truth.filter(pl.col("expected") == "ambiguous").group_by("side").len()
    counts = dict(zip(ambiguous.get_column("side"), ambiguous.get_column("len"), strict=True))
    assert counts["ledger"] == 2 * counts["partner"] > 0


def test_amounts_carry_exactly_the_currency_decimals(config: ReconConfig, generated: GeneratedSet) -> None:
    for path, fmt in _files(config, generated.dates):
        if fmt.amount_unit == "minor":
            continue
        frame = pl.read_csv(path, separator=fmt.delimiter, infer_schema=False)
        amount_columns = [fmt.columns.amount, fmt.columns.fee]
        if fmt.sign.mode == "debit_credit":
            amount_columns += [fmt.sign.debit, fmt.sign.credit]
        for row in frame.iter_rows(named=True):
            exponent = exponent_of(row[fmt.columns.currency])
            for column in filter(None, amount_columns):
                text = row[column]
                if text:
                    whole, separator, fraction = text.lstrip("-").partition(fmt.decimal_separator)
                    assert whole.isdigit() and len(fraction) == exponent and bool(separator) == (exponent > 0)


@dataclass(frozen=True)
class Record:
    """A record as read back from a file, with the values the contract compares."""

    record_id: str
    side: str
    partner: str
    business_date: date
    line: int
    reference: str | None
    record_type: str
    currency: str
    amount: int
    fee: int
    value_date: date


def _minor(text: str, currency: str, fmt: FileFormat) -> int:
    if not text:
        return 0
    if fmt.amount_unit == "minor":
        return int(text)
    whole, _, fraction = text.partition(fmt.decimal_separator)
    assert len(fraction) == exponent_of(currency)
    return int(whole + fraction)


def _signed_amount(row: dict, fmt: FileFormat) -> int:
    currency = row[fmt.columns.currency]
    sign = fmt.sign
    if sign.mode == "debit_credit":
        return _minor(row[sign.credit], currency, fmt) - _minor(row[sign.debit], currency, fmt)
    amount = _minor(row[fmt.columns.amount], currency, fmt)
    if sign.mode == "indicator":
        return -amount if row[sign.column] in sign.debit_values else amount
    return amount


def _read_file(
    path: Path, fmt: FileFormat, side: str, business_date: date, partner_of: dict[str | None, str]
) -> list[Record]:
    frame = pl.read_csv(path, separator=fmt.delimiter, infer_schema=False)
    columns = fmt.columns
    return [
        Record(
            record_id=f"{path.name}:{line}",
            side=side,
            partner=partner_of[row[columns.partner] if columns.partner else None],
            business_date=business_date,
            line=line,
            reference=row[columns.reference] or None,
            record_type=fmt.record_types[row[columns.record_type]],
            currency=row[columns.currency],
            amount=_signed_amount(row, fmt),
            fee=_minor(row[columns.fee], row[columns.currency], fmt) if columns.fee else 0,
            value_date=datetime.strptime(row[columns.value_date], fmt.date_format).date(),
        )
        for line, row in enumerate(frame.iter_rows(named=True), start=2)
    ]


def _read_records(config: ReconConfig, dates: tuple[date, ...]) -> list[Record]:
    codes = {partner.code_in_ledger: partner.id for partner in config.partners.values()}
    records = []
    for day in dates:
        for partner in config.partners.values():
            path = partner.source.path / partner.source.file_name(day)
            records += _read_file(path, partner.format, "partner", day, {None: partner.id})
        path = config.ledger.source.path / config.ledger.source.file_name(day)
        records += _read_file(path, config.ledger.format, "ledger", day, codes)
    return records


@dataclass(frozen=True)
class Outcome:
    expected: str
    rule: str | None = None
    counterpart: str | None = None


class ContractOracle:
    """docs/matching.md read literally, record by record, for one partner-day's records and
    the ones earlier days left open (matches and duplicates are final, the rest is weighed again)."""

    def __init__(self, rules: tuple[MatchRule, ...], tolerance_on: str) -> None:
        self.rules = rules
        self.tolerance_on = tolerance_on
        self.outcomes: dict[str, Outcome] = {}

    def compared(self, record: Record, rule: MatchRule) -> int:
        if record.side == "partner" and rule.compare == "net":
            return record.amount - record.fee
        return record.amount

    def tolerance(self, partner: Record, rule: MatchRule) -> int:
        base = self.compared(partner, rule) if self.tolerance_on == "compared" else partner.amount
        ppm = rule.amount_tolerance.parts_per_million
        return max(rule.amount_tolerance.minor, abs(base) * ppm // 1_000_000)

    def diff(self, partner: Record, ledger: Record, rule: MatchRule) -> int:
        return self.compared(partner, rule) - ledger.amount

    def accepts(self, partner: Record, ledger: Record, rule: MatchRule) -> bool:
        days = (partner.value_date - ledger.value_date).days
        window = rule.date_window
        return (
            partner.currency == ledger.currency
            and abs(self.diff(partner, ledger, rule)) <= self.tolerance(partner, rule)
            and -window.days_before <= days <= window.days_after
        )

    def score(self, partner: Record, ledger: Record, rule: MatchRule) -> tuple[int, int]:
        return abs(self.diff(partner, ledger, rule)), abs((partner.value_date - ledger.value_date).days)

    @staticmethod
    def select(
        candidates: dict[tuple[Record, Record], tuple],
    ) -> tuple[list[tuple[Record, Record]], set[Record]]:
        accepted: list[tuple[Record, Record]] = []
        ambiguous: set[Record] = set()
        pool = dict(candidates)
        while pool:
            best: dict[Record, list[tuple[Record, Record]]] = defaultdict(list)
            for pair, score in pool.items():
                for record in pair:
                    if not best[record] or score < pool[best[record][0]]:
                        best[record] = [pair]
                    elif score == pool[best[record][0]]:
                        best[record].append(pair)
            round_pairs = [pair for pair in pool if best[pair[0]] == [pair] == best[pair[1]]]
            taken = {record for pair in round_pairs for record in pair}
            if not round_pairs:
                taken = {
                    member for pairs in best.values() if len(pairs) > 1 for pair in pairs for member in pair
                }
                ambiguous |= taken
                if not taken:
                    break
            accepted += round_pairs
            pool = {pair: score for pair, score in pool.items() if not taken & set(pair)}
        return accepted, ambiguous

    def settle(
        self,
        accepted: list[tuple[Record, Record]],
        ambiguous: set[Record],
        expected: str | Callable[[Record, Record], str],
        rule: str | None = None,
    ) -> None:
        for partner, ledger in accepted:
            kind = expected(partner, ledger) if callable(expected) else expected
            self.outcomes[partner.record_id] = Outcome(kind, rule, ledger.record_id)
            self.outcomes[ledger.record_id] = Outcome(kind, rule, partner.record_id)
        for record in ambiguous:
            self.outcomes[record.record_id] = Outcome("ambiguous")

    def open(self, records: list[Record], side: str) -> list[Record]:
        return [record for record in records if record.side == side and record.record_id not in self.outcomes]

    def key_pairs(self, records: list[Record]) -> list[tuple[Record, Record]]:
        ledger_by_reference = defaultdict(list)
        for ledger in self.open(records, "ledger"):
            if ledger.reference:
                ledger_by_reference[ledger.reference].append(ledger)
        return [
            (partner, ledger)
            for partner in self.open(records, "partner")
            if partner.reference
            for ledger in ledger_by_reference[partner.reference]
        ]

    def no_key_pairs(self, records: list[Record], rule: MatchRule) -> list[tuple[Record, Record]]:
        by_currency = defaultdict(list)
        for ledger in self.open(records, "ledger"):
            by_currency[ledger.currency].append((ledger.amount, ledger.record_id, ledger))
        for entries in by_currency.values():
            entries.sort()
        pairs = []
        for partner in self.open(records, "partner"):
            entries = by_currency[partner.currency]
            amount, reach = self.compared(partner, rule), self.tolerance(partner, rule)
            low = bisect.bisect_left(entries, (amount - reach,))
            high = bisect.bisect_right(entries, (amount + reach, "\uffff"))
            pairs += [(partner, ledger) for _, _, ledger in entries[low:high]]
        return pairs

    def run(self, records: list[Record]) -> dict[str, Outcome]:
        first_copy: dict[tuple, Record] = {}
        for record in sorted(records, key=lambda record: (record.side, record.line)):
            if record.reference:
                key = (record.side, record.reference, record.record_type, record.currency, record.amount)
                key += (record.value_date,)
                if key in first_copy:
                    self.outcomes[record.record_id] = Outcome("duplicate")
                else:
                    first_copy[key] = record
        key_rules = [rule for rule in self.rules if rule.match_on == "reference"]
        for rule in key_rules:
            pairs = [pair for pair in self.key_pairs(records) if self.accepts(*pair, rule)]
            self.settle(*self.select({pair: self.score(*pair, rule) for pair in pairs}), "matched", rule.name)
        mismatch_scores = {
            (partner, ledger): (
                partner.currency != ledger.currency,
                *self.score(partner, ledger, key_rules[0]),
            )
            for partner, ledger in self.key_pairs(records)
        }
        self.settle(*self.select(mismatch_scores), self.mismatch_type)
        for rule in self.rules:
            if rule.match_on == "none":
                pairs = [pair for pair in self.no_key_pairs(records, rule) if self.accepts(*pair, rule)]
                self.settle(
                    *self.select({pair: self.score(*pair, rule) for pair in pairs}), "matched", rule.name
                )
        for side, missing in (("partner", "missing_in_ledger"), ("ledger", "missing_at_partner")):
            for record in self.open(records, side):
                self.outcomes[record.record_id] = Outcome(missing)
        return self.outcomes

    def mismatch_type(self, partner: Record, ledger: Record) -> str:
        if partner.currency != ledger.currency:
            return "currency_mismatch"
        key_rules = [rule for rule in self.rules if rule.match_on == "reference"]
        if not any(
            abs(self.diff(partner, ledger, rule)) <= self.tolerance(partner, rule) for rule in key_rules
        ):
            return "amount_mismatch"
        return "date_mismatch"


@pytest.mark.parametrize("tolerance_on", ["gross", "compared"])
def test_truth_is_what_the_contract_yields_on_the_written_files(
    config: ReconConfig, generated: GeneratedSet, truth: pl.DataFrame, tolerance_on: str
) -> None:
    units: dict[str, dict[date, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for record in _read_records(config, generated.dates):
        units[record.partner][record.business_date].append(record)
    oracle: dict[str, Outcome] = {}
    for partner, days in units.items():
        carried: list[Record] = []
        for day in sorted(days):
            records = carried + days[day]
            outcomes = ContractOracle(config.partner(partner).rules, tolerance_on).run(records)
            oracle |= outcomes
            carried = [
                record
                for record in records
                if outcomes[record.record_id].expected not in ("matched", "duplicate")
            ]
    expected = {
        record_id: Outcome(kind, rule, counterpart)
        for record_id, kind, rule, counterpart in truth.select(
            "record_id", "expected", "expected_rule", "counterpart_record_id"
        ).iter_rows()
    }
    wrong = {
        record_id: (oracle[record_id], outcome)
        for record_id, outcome in expected.items()
        if oracle[record_id] != outcome
    }
    assert not wrong, list(wrong.items())[:5]
    assert oracle.keys() == expected.keys()
