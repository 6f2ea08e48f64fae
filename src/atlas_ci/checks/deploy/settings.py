"""The deploy gate's own settings: what is built, how it is installed, and what the bundle holds."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from atlas_ci.settings import GateSettings, Settings

ENV_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class ServiceSettings(Settings):
    """Facts about the deployed service that DEPLOY.md and `smoke` are generated from."""

    name: str = Field(default="app", description="The service (and systemd unit) name.")
    distribution: str | None = Field(
        default=None,
        description="The distribution whose wheel the service runs "
        "(default: the first in `distributions`).",
    )
    user: str | None = Field(
        default=None,
        description="The account it runs as; None when the unit uses DynamicUser=yes.",
    )
    venv: str = Field(default="/opt/app/venv", description="Where the virtualenv is created.")
    state_dir: str = Field(default="/var/lib/app", description="The service's state directory.")
    database: str | None = Field(
        default=None, description="The SQLite database file (backup and restore steps)."
    )
    url: str = Field(
        default="http://127.0.0.1:8080", description="Where the service answers on the host."
    )
    health_path: str = "/healthz"
    ready_path: str = "/readyz"
    metrics_path: str = "/metrics"


class DeployGateSettings(GateSettings):
    """Keys under `[gates.deploy]`."""

    distributions: tuple[str, ...] = Field(
        default=(".",),
        min_length=1,
        description="Project directories (each with a pyproject.toml) built and checked.",
    )
    build_isolation: bool = Field(
        default=True, description="Build in an isolated environment (python -m build's default)."
    )
    install_from: Literal["index", "environment"] = Field(
        default="index",
        description="How the fresh venv gets the wheel's dependencies: from the package index "
        "(the real closure), or from the project's environment (offline; faster).",
    )
    environment: str = Field(
        default="staging", description="Which configuration the bundle carries (--environment)."
    )
    bundle: str | None = Field(
        default=None, description="Directory the bundle is written under (--bundle)."
    )
    config_files: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Environment name -> configuration files (repository paths) for the bundle.",
    )
    service: ServiceSettings = Field(default_factory=ServiceSettings)

    @field_validator("environment")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not ENV_NAME.match(value):
            raise ValueError("must be a short lower-case name such as staging or production")
        return value
