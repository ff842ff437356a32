"""The code location: everything is built from the configuration when the location loads."""

import dagster as dg

from dagster_project.assets import build_assets
from dagster_project.jobs import partner_day_job
from dagster_project.partitions import recon_partitions
from dagster_project.resources import BUNDLED_CONFIG, ReconResource
from dagster_project.schedules import build_daily_schedule
from dagster_project.sensors import build_landing_sensor, build_later_days_sensor
from recon.config import ReconConfig, load_config


def build_definitions(config: ReconConfig, recon: ReconResource) -> dg.Definitions:
    """Partners and the first business date come from `config`; `recon` is what runs read.

    Runs execute in process: a partner-day is a short chain of steps, and parallelism comes from
    running partners and dates as separate runs.
    """
    partitions = recon_partitions(config)
    return dg.Definitions(
        assets=build_assets(partitions),
        jobs=[partner_day_job],
        schedules=[build_daily_schedule(partitions, config.orchestration)],
        sensors=[build_landing_sensor(partitions), build_later_days_sensor(partitions)],
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
