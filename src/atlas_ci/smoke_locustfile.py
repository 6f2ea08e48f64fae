"""The smoke check's Locust profile: read-only GETs of the health and readiness endpoints.

Production validation must not write: only the probe paths given in ATLAS_CI_SMOKE_PATHS
(comma-separated) are requested, each named by its path in Locust's stats.
"""

from __future__ import annotations

import os

from locust import HttpUser, between, task

PATHS = [p for p in os.environ.get("ATLAS_CI_SMOKE_PATHS", "/healthz").split(",") if p]


class SmokeUser(HttpUser):
    wait_time = between(0.05, 0.2)

    @task
    def probe(self) -> None:
        for path in PATHS:
            self.client.get(path, name=path)
