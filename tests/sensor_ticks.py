"""A Dagster sensor evaluated tick after tick, as the daemon would, for the landing sensors' tests."""

from __future__ import annotations

import dagster as dg


def requested(request: dg.RunRequest) -> str:
    """`date|partner` of a run request for one partner's job."""
    return f"{request.partition_key}|{(request.job_name or '').removesuffix('_day')}"


class SensorTicks:
    """One sensor, each tick evaluated with the cursor the previous tick left; keeps every run key
    requested so far."""

    def __init__(self, sensor: dg.SensorDefinition, resource: object, defs: dg.Definitions) -> None:
        self.sensor, self.resource, self.defs = sensor, resource, defs
        self.cursor: str | None = None
        self.run_keys: list[str] = []

    def tick(self) -> list[str]:
        """Evaluate the sensor with the cursor of the previous tick; the partner-days it requested."""
        context = dg.build_sensor_context(
            cursor=self.cursor, resources={"recon": self.resource}, definitions=self.defs
        )
        data = self.sensor.evaluate_tick(context)
        self.cursor = data.cursor
        requests = data.run_requests or []
        self.run_keys += [request.run_key or "" for request in requests]
        return [requested(request) for request in requests]
