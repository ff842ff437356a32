"""The daily schedule and the landing sensor, evaluated as the Dagster daemon would."""

import os
import shutil
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import polars as pl
import pytest
import yaml
from dagster._core.execution.backfill import PartitionBackfill
from fixture_copy import FIXTURES, copy_fixtures
from sensor_ticks import SensorTicks, requested

from dagster_project.definitions import build_definitions
from dagster_project.resources import ReconResource
from recon.config import ReconConfig, load_config
from recon.pipeline import run_day
from recon.store import Layout

PARTNERS = ("adyen_eu", "paypal_gb", "stripe_us")
pytestmark = pytest.mark.filterwarnings("ignore:Function `AssetSelection.sources`:DeprecationWarning")
ASSETS = ("partner_settlements", "ledger_entries", "reconciliation", "daily_summary")


def definitions(config: ReconConfig) -> tuple[dg.Definitions, ReconResource]:
    resource = ReconResource(config_path=str(config.config_path))
    return build_definitions(config, resource), resource


def evaluate_schedules(config: ReconConfig, at: datetime) -> tuple[list[str], list[str]]:
    """The partner-days requested and the skip messages of every partner's schedule ticking at `at`."""
    defs, _resource = definitions(config)
    requests, skipped = [], []
    for partner_id in sorted(config.partners):
        schedule = defs.resolve_schedule_def(f"daily_reconciliation_{partner_id}")
        context = dg.build_schedule_context(
            scheduled_execution_time=at, repository_def=defs.get_repository_def()
        )
        data = schedule.evaluate_tick(context)
        requests += [f"{request.partition_key}|{partner_id}" for request in data.run_requests or []]
        skipped += [data.skip_message] if data.skip_message else []
    return requests, skipped


def test_schedule_runs_every_partner_for_yesterday() -> None:
    config = load_config(FIXTURES / "recon.yaml")
    defs, _resource = definitions(config)
    for partner in PARTNERS:
        schedule = defs.resolve_schedule_def(f"daily_reconciliation_{partner}")
        assert schedule.cron_schedule == config.orchestration.schedule_cron == "0 6 * * *"
        assert schedule.execution_timezone == config.orchestration.schedule_timezone
        assert schedule.job_name == f"{partner}_day"
    requests, _skipped = evaluate_schedules(config, datetime(2026, 11, 5, 6, 0, tzinfo=ZoneInfo("UTC")))
    assert requests == [f"2026-11-04|{partner}" for partner in PARTNERS]


def test_schedule_takes_yesterday_in_its_own_time_zone(tmp_path: Path) -> None:
    """06:00 in Auckland on 5 November is still 4 November in UTC: yesterday is the 4th there."""
    raw = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))
    raw["orchestration"] = {"schedule_cron": "30 6 * * 1-5", "schedule_timezone": "Pacific/Auckland"}
    (tmp_path / "recon.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    config = load_config(tmp_path / "recon.yaml")
    defs, _resource = definitions(config)
    schedule = defs.resolve_schedule_def("daily_reconciliation_adyen_eu")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 6 * * 1-5", "Pacific/Auckland")
    at = datetime(2026, 11, 5, 6, 30, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert at.astimezone(ZoneInfo("UTC")).date() == date(2026, 11, 4)
    requests, _skipped = evaluate_schedules(config, at)
    assert requests == [f"2026-11-04|{partner}" for partner in PARTNERS]


def test_schedule_skips_dates_before_the_first_business_date() -> None:
    config = load_config(FIXTURES / "recon.yaml")
    requests, skipped = evaluate_schedules(config, datetime(2026, 11, 1, 6, 0, tzinfo=ZoneInfo("UTC")))
    assert not requests
    assert skipped == [
        "adyen_eu: 2026-10-30 is not a business date partition yet",  # weekdays: Saturday's latest is Friday
        "paypal_gb: 2026-10-31 is not a business date partition yet",
        "stripe_us: 2026-10-31 is not a business date partition yet",
    ]


def test_a_weekday_partners_friday_runs_on_monday(tmp_path: Path) -> None:
    """Friday's partition closes when Monday begins: nothing on Saturday, Friday on Monday."""
    raw = yaml.safe_load((FIXTURES / "recon.yaml").read_text(encoding="utf-8"))
    raw["partners"]["paypal_gb"]["calendar"] = {"days": "weekdays"}
    (tmp_path / "recon.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    config = load_config(tmp_path / "recon.yaml")
    saturday, _skipped = evaluate_schedules(config, datetime(2026, 11, 7, 6, 0, tzinfo=ZoneInfo("UTC")))
    assert saturday == ["2026-11-06|stripe_us"]
    monday, _skipped = evaluate_schedules(config, datetime(2026, 11, 9, 6, 0, tzinfo=ZoneInfo("UTC")))
    assert monday == ["2026-11-06|adyen_eu", "2026-11-06|paypal_gb", "2026-11-08|stripe_us"]


class Landing(SensorTicks):
    """A private landing area the sensor watches, fed one fixture file at a time."""

    def __init__(self, tmp_path: Path) -> None:
        self.config = copy_fixtures(tmp_path)
        for folder in ("landing", "ledger"):
            shutil.move(tmp_path / folder, tmp_path / "outbox" / folder)
        for folder in ("ledger", *(f"landing/{partner}" for partner in PARTNERS)):
            (tmp_path / folder).mkdir(parents=True)
        self.root = tmp_path
        defs, resource = definitions(self.config)
        super().__init__(defs.resolve_sensor_def("landing_files"), resource, defs)

    def land(self, relative: str) -> Path:
        """Copy a file from the outbox as a partner would upload it (a fresh modification time)."""
        target = self.root / relative
        shutil.copyfile(self.root / "outbox" / relative, target)
        return target


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path)


def test_sensor_fires_once_per_landed_file(landing: Landing) -> None:
    assert landing.tick() == []
    landing.land("ledger/ledger_2026-11-02.csv")
    landing.land("landing/adyen_eu/settlement_detail_report_20261102.csv")
    landing.land("landing/stripe_us/stripe_balance_2026-11-02.csv")
    assert landing.tick() == ["2026-11-02|adyen_eu", "2026-11-02|stripe_us"]
    assert landing.tick() == []
    landing.land("landing/paypal_gb/STL-20261102.tsv")
    assert landing.tick() == ["2026-11-02|paypal_gb"]
    assert landing.tick() == []
    assert len(set(landing.run_keys)) == len(landing.run_keys) == 3


def test_sensor_waits_for_the_days_ledger_export(landing: Landing) -> None:
    landing.land("landing/adyen_eu/settlement_detail_report_20261103.csv")
    assert landing.tick() == []
    landing.land("ledger/ledger_2026-11-03.csv")
    assert landing.tick() == ["2026-11-03|adyen_eu"]
    assert landing.tick() == []


def test_a_resent_file_triggers_again_exactly_once(landing: Landing) -> None:
    landing.land("ledger/ledger_2026-11-02.csv")
    settlement = landing.land("landing/adyen_eu/settlement_detail_report_20261102.csv")
    assert landing.tick() == ["2026-11-02|adyen_eu"]
    stat = settlement.stat()
    os.utime(settlement, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert landing.tick() == ["2026-11-02|adyen_eu"]
    assert landing.tick() == []
    assert len(set(landing.run_keys)) == 2
    assert all("settlement_detail_report_20261102.csv" in key for key in landing.run_keys)


def test_sensor_ignores_days_without_a_partition_yet(landing: Landing) -> None:
    """A file dated after the last closed business date waits until its partition exists."""
    future = date(2099, 1, 1)
    (landing.root / "ledger" / f"ledger_{future}.csv").write_text("entry_id\n", encoding="utf-8")
    (landing.root / "landing" / "stripe_us" / f"stripe_balance_{future}.csv").write_text(
        "id\n", encoding="utf-8"
    )
    assert landing.tick() == []
    assert landing.cursor == "{}"


class Reruns:
    """Real runs of one partner on one instance, and the later-days sensor watching them."""

    def __init__(self, tmp_path: Path) -> None:
        self.config = copy_fixtures(tmp_path)
        self.defs, self.resource = definitions(self.config)
        self.sensor = self.defs.resolve_sensor_def("later_days")
        self.instance = dg.DagsterInstance.ephemeral()
        self.cursor: str | None = None
        assert self.tick() == [], "the first tick only takes the present as its starting point"

    def context(self) -> dg.SensorEvaluationContext:
        return dg.build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            resources={"recon": self.resource},
            definitions=self.defs,
        )

    def run(self, unit: str, selection: list[dg.AssetKey] | None = None, **tags: str) -> None:
        """Run the partner's job for `unit` (`date|partner`) on the shared instance."""
        day, partner = unit.split("|")
        job = self.defs.resolve_job_def(f"{partner}_day")
        result = job.execute_in_process(
            instance=self.instance, partition_key=day, asset_selection=selection, tags=tags
        )
        assert result.success

    def tick(self) -> list[dg.RunRequest]:
        data = self.sensor.evaluate_tick(self.context())
        self.cursor = data.cursor
        return list(data.run_requests or [])

    def follow(self) -> list[str]:
        """Run what the sensor asks for, tick after tick, until it asks for nothing more."""
        followed = []
        while requests := self.tick():
            for request in requests:
                followed.append(requested(request))
                self.run(requested(request), list(request.asset_selection or []))
        return followed


def test_rerunning_a_day_recomputes_the_later_days_in_order(tmp_path: Path) -> None:
    reruns = Reruns(tmp_path)
    for day in ("2026-11-02", "2026-11-03", "2026-11-04"):
        reruns.run(f"{day}|adyen_eu")
    assert reruns.follow() == [], "days reconciled in order need nothing recomputed"
    reruns.run("2026-11-02|adyen_eu")
    assert reruns.follow() == ["2026-11-03|adyen_eu", "2026-11-04|adyen_eu"]
    reruns.run("2026-11-04|adyen_eu")
    assert reruns.follow() == []


def backfill(reruns: Reruns, partner: str, days: list[str]) -> list[str]:
    """A backfill of the partner's assets over `days` recorded on the instance, and its runs made as
    the backfill daemon makes them (one per day, in order, tagged with the backfill); then whatever
    the sensor asks for."""
    keys = [dg.AssetKey([partner, asset]) for asset in ASSETS]
    recorded = PartitionBackfill.from_asset_partitions(
        backfill_id="bkfl0001",
        asset_graph=reruns.defs.resolve_asset_graph(),
        partition_names=days,
        asset_selection=keys,
        backfill_timestamp=time.time(),
        tags={},
        dynamic_partitions_store=reruns.instance,
        all_partitions=False,
        title=None,
        description=None,
        run_config=None,
    )
    reruns.instance.add_backfill(recorded)
    for day in days:
        reruns.run(f"{day}|{partner}", keys, **{"dagster/backfill": recorded.backfill_id})
    return reruns.follow()


def test_a_backfill_leaves_its_own_days_to_itself(tmp_path: Path) -> None:
    reruns = Reruns(tmp_path)
    for day in ("2026-11-02", "2026-11-03"):
        reruns.run(f"{day}|stripe_us")
    assert backfill(reruns, "stripe_us", ["2026-11-02", "2026-11-03"]) == []


def test_a_backfill_is_followed_by_the_later_reconciled_days(tmp_path: Path) -> None:
    """Days 02 to 04 reconciled, then a backfill of 02 and 03: 04 must be recomputed from the new
    03, as `recon run` would, so its results equal those of the CLI run over the same days."""
    reruns = Reruns(tmp_path)
    for day in ("2026-11-02", "2026-11-03", "2026-11-04"):
        reruns.run(f"{day}|adyen_eu")
    layout = Layout(reruns.config.data_dir)
    before = layout.result("breaks", "adyen_eu", date(2026, 11, 4)).stat().st_mtime_ns
    assert backfill(reruns, "adyen_eu", ["2026-11-02", "2026-11-03"]) == ["2026-11-04|adyen_eu"]
    assert layout.result("breaks", "adyen_eu", date(2026, 11, 4)).stat().st_mtime_ns > before
    for day in (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)):
        run_day(reruns.config, day, ["adyen_eu"], data_dir=tmp_path / "reference")
    for table in ("breaks", "matches", "carry"):
        expected = pl.read_parquet(
            Layout(tmp_path / "reference").result(table, "adyen_eu", date(2026, 11, 4))
        )
        assert pl.read_parquet(layout.result(table, "adyen_eu", date(2026, 11, 4))).equals(expected)
