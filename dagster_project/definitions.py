"""The code location: everything is built from the configuration when the location loads."""

import dagster as dg

from dagster_project.assets import build_assets
from dagster_project.jobs import build_partner_day_job
from dagster_project.partitions import partner_partitions
from dagster_project.resources import BUNDLED_CONFIG, ReconResource
from dagster_project.schedules import build_daily_schedule
from dagster_project.sensors import (
    build_landing_sensor,
    build_later_days_sensor,
    build_published_sensor,
    build_s3_landing_sensor,
)
from recon.config import ReconConfig, load_config


def build_definitions(config: ReconConfig, recon: ReconResource) -> dg.Definitions:
    """Partners, their calendars and first days come from `config`; `recon` is what runs read.

    Runs execute in process: a partner-day is a short chain of steps, and parallelism comes from
    running partners and dates as separate runs.
    """
    partners = sorted(config.partners)
    partitions = {partner_id: partner_partitions(config, partner_id) for partner_id in partners}
    jobs = [build_partner_day_job(partner_id) for partner_id in partners]
    return dg.Definitions(
        assets=build_assets(config),
        jobs=jobs,
        schedules=[
            build_daily_schedule(config, partner_id, partitions[partner_id], job)
            for partner_id, job in zip(partners, jobs, strict=True)
        ],
        sensors=[
            build_landing_sensor(partitions, jobs),
            build_s3_landing_sensor(partitions, jobs),
            build_later_days_sensor(partners, jobs),
            build_published_sensor(partitions),
        ],
        resources={"recon": recon},
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Loads RECON_CONFIG when set (read through dg.EnvVar when the location loads, never at
    import), else the bundled fixtures' configuration."""
    config_path = dg.EnvVar("RECON_CONFIG")
    path = config_path.get_value()
    if path:
        return build_definitions(load_config(path), ReconResource(config_path=config_path))
    return build_definitions(load_config(BUNDLED_CONFIG), ReconResource())
