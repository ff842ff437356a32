"""Sensors: a run when a file lands, and later days kept in step when an earlier day is re-run."""

from dagster_project.sensors.landing import build_landing_sensor
from dagster_project.sensors.later_days import build_later_days_sensor

__all__ = ["build_landing_sensor", "build_later_days_sensor"]
