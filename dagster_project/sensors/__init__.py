"""Sensors: a run when a file lands (in a local folder or under an S3 prefix), later days kept in
step when an earlier day is re-run, and days reconciled outside Dagster shown in it."""

from dagster_project.sensors.landing import build_landing_sensor
from dagster_project.sensors.later_days import build_later_days_sensor
from dagster_project.sensors.published import build_published_sensor
from dagster_project.sensors.s3_landing import build_s3_landing_sensor

__all__ = [
    "build_landing_sensor",
    "build_later_days_sensor",
    "build_published_sensor",
    "build_s3_landing_sensor",
]
