"""Typed configuration loaded from YAML: where files are, how to read them, how to match them.

Adding a CSV partner is a configuration change only. Every validation error names the file
and the dotted key that is wrong, so a typo is found without reading a traceback.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from string import Formatter
from typing import Annotated, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from recon.calendar import BusinessCalendar
from recon.date_pattern import SAMPLE_DAY, parse_pattern
from recon.errors import ConfigError
from recon.sources.paths import check_relative

PARTNER_ID = re.compile(r"^[a-z0-9_-]+$")
CANONICAL_TYPES = ("payment", "refund", "chargeback", "fee", "payout", "adjustment")


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt option must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DatedFile(Strict):
    """A source of one file per business day, named by `pattern` (see recon.date_pattern)."""

    pattern: str = Field(description="file name with the business date, e.g. 'acme_{date:%Y%m%d}.csv'")

    @field_validator("pattern")
    @classmethod
    def _one_date_field(cls, value: str) -> str:
        """One date field, and names (folders included) that stay inside the source's folder."""
        parse_pattern(value)
        check_relative(value.format(date=SAMPLE_DAY))
        return value

    def file_name(self, business_date: date) -> str:
        return self.pattern.format(date=business_date)


class Ready(Strict):
    """When a file counts as complete. Default: as soon as it is there."""

    marker: str | None = Field(
        default=None,
        description="name of a file next to the data file that must exist, e.g. '{name}.done'; "
        "{name} is the data file's name",
    )

    @field_validator("marker")
    @classmethod
    def _plain_marker(cls, value: str | None) -> str | None:
        if value is None:
            return value
        fields = [part[1:] for part in Formatter().parse(value) if part[1] is not None]
        if any(field != "name" or spec or conv for field, spec, conv in fields):
            raise ValueError("the only field a marker takes is {name}, e.g. '{name}.done'")
        sample = value.format(name="file.csv")
        if sample == "file.csv":
            raise ValueError("a marker must differ from the file it marks")
        if "/" in sample:
            raise ValueError("a marker lies next to its file: no '/' in it")
        check_relative(sample)
        return value

    def marker_name(self, name: str) -> str | None:
        """The marker's file name for a data file named `name` (its last path part), if any."""
        return None if self.marker is None else self.marker.format(name=name)


class LocalReady(Ready):
    settle_seconds: float = Field(
        default=0, ge=0, description="the file's modification time must be at least this old"
    )


class LocalSource(DatedFile):
    kind: Literal["local"] = "local"
    path: Path
    ready: LocalReady = LocalReady()


class Retries(Strict):
    """botocore's retry policy for every S3 request (transient errors, throttling, timeouts)."""

    mode: Literal["standard", "adaptive"] = "standard"
    max_attempts: int = Field(default=5, ge=1, le=20, description="attempts per request, the first included")


BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class S3Source(DatedFile):
    kind: Literal["s3"]
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    retries: Retries = Retries()
    connect_timeout_seconds: float = Field(default=10, gt=0)
    read_timeout_seconds: float = Field(default=60, gt=0)
    ready: Ready = Ready()

    @field_validator("bucket")
    @classmethod
    def _bucket_name(cls, value: str) -> str:
        if not BUCKET_NAME.match(value) or ".." in value:
            raise ValueError("not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')")
        return value

    @field_validator("prefix")
    @classmethod
    def _relative_prefix(cls, value: str) -> str:
        if value:
            check_relative(value.removesuffix("/"))
        return value

    @field_validator("endpoint_url")
    @classmethod
    def _http_endpoint(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("must be an http:// or https:// URL with a host")
            try:
                parts.port  # noqa: B018 - raises for a port that is not a number (e.g. a password with '/')
            except ValueError:
                raise ValueError("must be an http:// or https:// URL with a valid port") from None
        return value

    @property
    def folder(self) -> str:
        """The prefix as a folder of keys: '' or ending in exactly one '/'."""
        return f"{self.prefix.removesuffix('/')}/" if self.prefix else ""

    def key(self, business_date: date) -> str:
        """The object key of the day's file: prefix, then the pattern's name."""
        return self.folder + self.file_name(business_date)

    def day_of_key(self, key: str) -> date | None:
        """The business date an object key stands for, or None when it is not one of this source's."""
        if not key.startswith(self.folder):
            return None
        return parse_pattern(self.pattern).day_of(key[len(self.folder) :])


Source = Annotated[LocalSource | S3Source, Field(discriminator="kind")]


class SignedAmount(Strict):
    """One amount column that already carries the sign (negative = money out)."""

    mode: Literal["signed"] = "signed"
    negate: bool = False


class DebitCreditColumns(Strict):
    """Two unsigned columns: amount = credit - debit; either may be empty."""

    mode: Literal["debit_credit"]
    debit: str
    credit: str


class IndicatorColumn(Strict):
    """An unsigned amount column plus a column saying debit or credit."""

    mode: Literal["indicator"]
    column: str
    debit_values: tuple[str, ...] = ("D", "DR", "DEBIT")
    credit_values: tuple[str, ...] = ("C", "CR", "CREDIT")


SignConvention = Annotated[SignedAmount | DebitCreditColumns | IndicatorColumn, Field(discriminator="mode")]


class ColumnMap(Strict):
    """Header name in the file for each canonical field; None where the file has no such field."""

    reference: str | None = None
    partner_reference: str | None = None
    batch_id: str | None = None
    record_type: str | None = None
    currency: str
    amount: str | None = None
    fee: str | None = None
    net: str | None = Field(default=None, description="checked to be amount minus fee, not carried")
    booking_date: str
    value_date: str | None = None
    entry_id: str | None = None
    partner: str | None = None


class PlausibleDates(Strict):
    """Booking and value dates accepted: business date minus days_before .. plus days_after."""

    days_before: int = Field(default=366, ge=0)
    days_after: int = Field(default=31, ge=0)


class FileFormat(Strict):
    """Generic delimited-text (or Parquet) layout: enough to read any CSV partner without code."""

    kind: Literal["csv", "parquet"] = "csv"
    delimiter: str = ","
    encoding: str = "utf-8"
    decimal_separator: Literal[".", ","] = "."
    thousands_separator: Literal[",", ".", " ", "'", "_"] | None = None
    amount_unit: Literal["major", "minor"] = "major"
    date_format: str = "%Y-%m-%d"
    timezone: str | None = Field(
        default=None,
        description="zone of timestamps in the file; set it when date_format includes a time",
    )
    columns: ColumnMap
    sign: SignConvention = SignedAmount()
    fee_is_negative: bool = Field(default=False, description="the file writes fees charged as negatives")
    record_types: dict[str, Literal[CANONICAL_TYPES]] = Field(default_factory=dict)  # type: ignore[valid-type]
    default_record_type: Literal[CANONICAL_TYPES] = "payment"  # type: ignore[valid-type]
    max_lines_per_record: int = Field(
        default=1, ge=1, description="physical lines a record may span (quoted newlines); 1 = none"
    )
    plausible_dates: PlausibleDates = PlausibleDates()

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1:
            raise ValueError("must be a single character")
        return value

    @model_validator(mode="after")
    def _amount_source(self) -> FileFormat:
        if self.sign.mode == "debit_credit":
            if self.columns.amount is not None:
                raise ValueError("columns.amount must be empty when sign.mode is debit_credit")
        elif self.columns.amount is None:
            raise ValueError("columns.amount is required unless sign.mode is debit_credit")
        if self.thousands_separator == self.decimal_separator:
            raise ValueError("thousands_separator must differ from decimal_separator")
        return self


class AmountTolerance(Strict):
    """Absolute (minor units) and relative (percent of the partner amount); the larger wins."""

    minor: int = Field(default=0, ge=0)
    percent: Decimal = Field(default=Decimal(0), ge=0, le=100)

    @field_validator("percent")
    @classmethod
    def _whole_parts_per_million(cls, value: Decimal) -> Decimal:
        if value * 10_000 != (value * 10_000).to_integral_value():
            raise ValueError(f"{value} is finer than 0.0001")
        return value

    @property
    def parts_per_million(self) -> int:
        """Percent as an integer so that tolerance arithmetic stays exact."""
        ppm = self.percent * 10_000
        if ppm != ppm.to_integral_value():
            raise ConfigError(f"percent {self.percent} is finer than 0.0001")
        return int(ppm)


class DateWindow(Strict):
    """Allowed partner value date minus ledger value date, in days: -days_before..days_after."""

    days_before: int = Field(default=0, ge=0, le=31)
    days_after: int = Field(default=0, ge=0, le=31)


class MatchRule(Strict):
    """One step of the cascade. Rules run in the order listed; the first that pairs a record wins."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    match_on: Literal["reference", "none"]
    compare: Literal["gross", "net"] = "gross"
    amount_tolerance: AmountTolerance = AmountTolerance()
    date_window: DateWindow = DateWindow()


BREAK_TYPES = (
    "missing_in_ledger",
    "missing_at_partner",
    "amount_mismatch",
    "currency_mismatch",
    "date_mismatch",
    "duplicate",
    "ambiguous",
)
MajorAmount = Annotated[Decimal, Field(ge=0)]


class BreakPolicy(Strict):
    """When an open item becomes a break, and how urgent a break is.

    A record left unmatched is `pending`, not yet a break, while it is younger than the grace
    period of its break type (settlements usually land 1-3 days after the booking). Severity
    grows with the amount (major units of the break's own currency) and with age.
    """

    grace_days: dict[str, int] = Field(default_factory=dict, description="per break type; default 0")
    high_amount: MajorAmount = Decimal("10000")
    critical_amount: MajorAmount = Decimal("100000")
    high_age_days: int = Field(default=8, ge=0)
    critical_age_days: int = Field(default=31, ge=0)

    @field_validator("grace_days")
    @classmethod
    def _known_types(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(BREAK_TYPES))
        if unknown:
            raise ValueError(f"unknown break types {unknown}; known: {list(BREAK_TYPES)}")
        if any(days < 0 for days in value.values()):
            raise ValueError("grace days cannot be negative")
        return value

    def grace_for(self, break_type: str) -> int:
        return self.grace_days.get(break_type, 0)


class CheckThresholds(Strict):
    """Limits of the warning checks on each reconciled partner-day."""

    min_match_rate: Decimal = Field(default=Decimal("0.90"), ge=0, le=1)
    max_value_at_risk: MajorAmount = Field(
        default=Decimal("100000"), description="per currency, in major units of that currency"
    )
    max_quarantine_share: Decimal = Field(
        default=Decimal("0.05"),
        ge=0,
        le=1,
        description="largest share of a side's delivered rows that may be quarantined; above it the "
        "partner-day fails (a whole file quarantined always fails)",
    )


class PartnerConfig(Strict):
    id: str
    name: str | None = None
    ledger_code: str | None = Field(default=None, description="value of the ledger's partner column")
    source: Source
    format: FileFormat
    rules: tuple[MatchRule, ...] = Field(min_length=1)
    breaks: BreakPolicy = BreakPolicy()
    checks: CheckThresholds = CheckThresholds()
    calendar: BusinessCalendar = BusinessCalendar()
    first_business_date: date | None = Field(
        default=None, description="first day reconciled; default orchestration.first_business_date"
    )
    empty_file: Literal["error", "no_activity"] = Field(
        default="error",
        description="a file with a header and no rows: refused, or read as a day without activity",
    )

    @field_validator("id")
    @classmethod
    def _normalised_id(cls, value: str) -> str:
        if not PARTNER_ID.match(value):
            raise ValueError("partner ids use only a-z, 0-9, '_' and '-'")
        return value

    @model_validator(mode="after")
    def _unique_rule_names(self) -> PartnerConfig:
        names = [rule.name for rule in self.rules]
        if len(set(names)) != len(names):
            raise ValueError(f"rule names must be unique, got {names}")
        for rule in self.rules:
            _ = rule.amount_tolerance.parts_per_million
        return self

    @property
    def code_in_ledger(self) -> str:
        return self.ledger_code or self.id


class LedgerConfig(Strict):
    source: Source
    format: FileFormat
    calendar: BusinessCalendar = Field(
        default=BusinessCalendar(), description="dates on which an export is due"
    )
    empty_file: Literal["error", "no_activity"] = "error"

    @model_validator(mode="after")
    def _needs_partner_and_id(self) -> LedgerConfig:
        if self.format.columns.partner is None:
            raise ValueError("ledger format.columns.partner is required: it routes entries to partners")
        return self


class Orchestration(Strict):
    """Scheduling facts the Dagster definitions read: first partition and the daily run time."""

    first_business_date: date = date(2026, 11, 1)
    schedule_cron: str = "0 6 * * *"
    schedule_timezone: str = "UTC"


class Engine(Strict):
    """Resources of the in-memory DuckDB that matches one partner-day. Past `memory_limit` it
    spills to `<data_dir>/.spill` instead of growing, so several partner-days can run side by
    side on one machine; a larger limit is faster on a large day. `checkpoint_max_days` bounds
    how many days of carry files a day reads on top of the last full open index (recon.open_index)."""

    memory_limit: str = Field(default="2.5GB", pattern=r"^\d+(\.\d+)?\s*(MB|GB|MiB|GiB)$")
    checkpoint_max_days: int = Field(default=28, ge=1)
    lock_timeout_seconds: float = Field(
        default=600, ge=0, description="how long a run waits for another run of the same partner"
    )


class ReconConfig(Strict):
    """The whole configuration; relative paths are resolved against the file's folder."""

    data_dir: Path = Path("data")
    reporting_timezone: str = "UTC"
    orchestration: Orchestration = Orchestration()
    engine: Engine = Engine()
    ledger: LedgerConfig
    partners: dict[str, PartnerConfig]
    config_path: Path | None = None

    @model_validator(mode="before")
    @classmethod
    def _ids_from_keys(cls, values: dict) -> dict:
        partners = values.get("partners")
        if isinstance(partners, dict):
            values["partners"] = {
                key: {"id": key, **body} if isinstance(body, dict) else body for key, body in partners.items()
            }
        return values

    def first_day(self, partner_id: str) -> date:
        """The partner's first business date: nothing before it is reconciled or required."""
        return self.partner(partner_id).first_business_date or self.orchestration.first_business_date

    def partner(self, partner_id: str) -> PartnerConfig:
        try:
            return self.partners[partner_id]
        except KeyError:
            known = ", ".join(sorted(self.partners)) or "none"
            raise ConfigError(f"unknown partner '{partner_id}' (configured: {known})") from None


def _format_validation_error(path: Path, raw: dict, error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        key = ".".join(_yaml_keys(raw, item["loc"]))
        problems.append(f"{key or '<top>'}: {item['msg'].removeprefix('Value error, ')}")
    return f"{path}: " + "; ".join(problems)


def _yaml_keys(raw: object, loc: tuple[int | str, ...]) -> list[str]:
    """The keys of `loc` as written in the file. Pydantic adds the tag of a union member
    ('local', 's3') and validator names, which the file does not have: a part found neither in
    the file nor at the end of `loc` (where it is a missing key) is such a tag and is left out."""
    keys, node = [], raw
    for position, part in enumerate(loc):
        if isinstance(node, dict | list) and _has(node, part):
            node = node[part]
        elif position < len(loc) - 1 or str(part).startswith("function-"):
            continue
        keys.append(str(part))
    return keys


def _has(node: dict | list, part: int | str) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def _resolve(base: Path, source: dict) -> dict:
    if source.get("kind", "local") == "local" and "path" in source:
        source = {**source, "path": str((base / source["path"]).resolve())}
    return source


def _read_yaml(path: Path) -> object:
    """The parsed file; ConfigError naming the file (and line:column of a syntax error)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a configuration file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None


def load_config(path: Path | str) -> ReconConfig:
    """Read and validate a configuration file; raises ConfigError naming the file and key."""
    path = Path(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    base = path.resolve().parent
    if isinstance(raw.get("ledger"), dict) and isinstance(raw["ledger"].get("source"), dict):
        raw["ledger"] = {**raw["ledger"], "source": _resolve(base, raw["ledger"]["source"])}
    if isinstance(raw.get("partners"), dict):
        raw["partners"] = {
            key: {**body, "source": _resolve(base, body["source"])}
            if isinstance(body, dict) and isinstance(body.get("source"), dict)
            else body
            for key, body in raw["partners"].items()
        }
    if "data_dir" in raw:
        raw["data_dir"] = str((base / str(raw["data_dir"])).resolve())
    try:
        return ReconConfig.model_validate({**raw, "config_path": str(path.resolve())})
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(path, raw, exc)) from None
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
