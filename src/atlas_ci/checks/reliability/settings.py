"""Settings of the reliability gate: the service under test, Locust runs, endurance, recovery."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from atlas_ci.settings import CheckSettings, GateSettings, Settings

StopSignal = Literal["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2"]


class ServiceSettings(Settings):
    """`[gates.reliability.service]`: how atlas-ci starts, checks and stops the service."""

    argv: tuple[str, ...] = Field(
        default=(),
        description="Start command (argv list, no shell). `{port}` becomes a free loopback port "
        "atlas-ci picked; `{db}` the database file atlas-ci prepared under reports/reliability/.",
    )
    cwd: str = Field(default=".", description="Working directory, relative to the repository.")
    env: dict[str, str] = Field(
        default_factory=dict, description="Extra environment (`{port}`/`{db}` substituted)."
    )
    health: str = Field(
        default="/healthz", description="Path answered 2xx once the service is ready."
    )
    ready_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for health.")
    stop_signal: StopSignal = Field(default="SIGTERM", description="Signal that asks it to stop.")
    stop_grace: float = Field(
        default=10.0, ge=0, description="Seconds between the stop signal and SIGKILL."
    )
    database: str | None = Field(
        default=None,
        description="File name of the service's SQLite database (the `{db}` placeholder); "
        "needed by reliability.recovery. Its -wal/-journal siblings are handled too.",
    )
    log_cap: int = Field(
        default=1024 * 1024, ge=1024, description="Bytes of service log kept per start."
    )


class ReliabilityGateSettings(GateSettings):
    host: str | None = Field(
        default=None,
        description="Base URL of an already running service (e.g. http://127.0.0.1:8080): load "
        "and endurance target it, lifecycle checks (recovery) are skipped.",
    )
    service: ServiceSettings = Field(default_factory=ServiceSettings)


class Thresholds(Settings):
    """Limits a Locust run is judged by (overall, or for one endpoint)."""

    max_failure_ratio: float | None = Field(
        default=None, ge=0, le=1, description="Failed requests / requests."
    )
    max_p50: float | None = Field(default=None, gt=0, description="Median latency, ms.")
    max_p95: float | None = Field(default=None, gt=0, description="95th percentile latency, ms.")
    max_p99: float | None = Field(default=None, gt=0, description="99th percentile latency, ms.")
    min_rps: float | None = Field(default=None, ge=0, description="Requests per second.")


class EndpointThresholds(Thresholds):
    name: str = Field(description="Locust's request name (the `name=` of the request, or path).")
    method: str = Field(default="GET", description="HTTP method as Locust reports it.")


class LocustSettings(CheckSettings):
    """What the load and endurance checks share: the Locust profile and how it scales out."""

    locustfile: str = Field(default="locustfile.py", description="Relative to the repository.")
    user_classes: tuple[str, ...] = Field(
        default=(), description="User classes to run (default: every class in the locustfile)."
    )
    users: int = Field(default=10, ge=1, description="Simulated users.")
    spawn_rate: float = Field(default=10.0, gt=0, description="Users started per second.")
    processes: int = Field(
        default=1, ge=1, description="Locust processes on this host (>1: `--processes N`)."
    )
    master: bool = Field(
        default=False,
        description="Distributed mode: run a Locust master here and wait for `expect_workers` "
        "workers started elsewhere with `locust --worker --master-host <this host>`.",
    )
    expect_workers: int = Field(default=1, ge=1, description="Workers the master waits for.")
    expect_workers_max_wait: float = Field(
        default=60.0, gt=0, description="Seconds the master waits for them before giving up."
    )
    master_bind_host: str = Field(default="127.0.0.1", description="Master's listen address.")
    master_bind_port: int = Field(default=5557, ge=1, le=65535)
    watchdog_margin: float = Field(
        default=30.0, gt=0, description="Seconds past the planned run time before Locust is killed."
    )
    thresholds: Thresholds = Field(
        default_factory=lambda: Thresholds(max_failure_ratio=0.01),
        description="Limits on the aggregate of every endpoint.",
    )
    endpoints: tuple[EndpointThresholds, ...] = Field(
        default=(), description="Limits for single endpoints (name and method)."
    )
    per_endpoint: Thresholds = Field(
        default_factory=lambda: Thresholds(max_failure_ratio=0.01),
        description="Limits every endpoint meets unless `endpoints` names it.",
    )


class LoadSettings(LocustSettings):
    run_time: float = Field(default=60.0, gt=0, description="Seconds of load.")


class EnduranceSettings(LocustSettings):
    duration: float = Field(default=300.0, gt=0, description="Seconds of sustained load.")
    warmup: float = Field(
        default=0.2, ge=0, lt=1, description="Fraction of the run left out of the trends."
    )
    sample_interval: float = Field(default=1.0, gt=0, description="Seconds between samples.")
    memory: Literal["uss", "rss"] = Field(default="uss", description="Memory measure sampled.")
    max_memory_growth: float = Field(
        default=50.0,
        ge=0,
        description="MB per hour; fails when the lower bound of the slope's 95% interval is above.",
    )
    max_fd_growth: float = Field(
        default=60.0, ge=0, description="Open file descriptors per hour (lower bound of the slope)."
    )
    max_thread_growth: float = Field(
        default=60.0, ge=0, description="Threads per hour (lower bound of the slope)."
    )
    max_latency_drift: float = Field(
        default=0.5,
        ge=0,
        description="p95 of the last window over the first window, minus one (0.5 = 50% slower).",
    )
    min_latency_drift_ms: float = Field(
        default=10.0, ge=0, description="A p95 drift smaller than this many ms never fails."
    )


class RequestTemplate(Settings):
    method: str = "GET"
    path: str = Field(description="`{id}` and `{token}` are substituted.")
    body: str | None = Field(default=None, description="`{token}` is a unique marker per write.")
    content_type: str = "application/json"


class RecoverySettings(CheckSettings):
    crash: bool = Field(default=True, description="Run the kill-and-restart part.")
    corruption: bool = Field(default=True, description="Run the damaged-database part.")
    kills: int = Field(default=20, ge=1, description="SIGKILLs during the write stream.")
    seed: int = Field(default=0, description="Seeds the kill moments and the byte flips.")
    kill_after: tuple[float, float] = Field(
        default=(0.2, 1.5), description="A kill lands this many seconds after writes resume."
    )
    write: RequestTemplate = Field(
        default_factory=lambda: RequestTemplate(
            method="POST", path="/items", body='{"value": "{token}"}'
        ),
        description="The write request; a 2xx answer acknowledges it.",
    )
    id_field: str = Field(default="id", description="JSON field of the answer naming the record.")
    read: RequestTemplate = Field(
        default_factory=lambda: RequestTemplate(path="/items/{id}"),
        description="Reads a record back: must answer 2xx with the write's token in the body.",
    )
    flips: int = Field(default=8, ge=0, description="Byte-flip scenarios (each its own copy).")
    seed_writes: int = Field(
        default=40, ge=1, description="Writes into the database the corruption part damages."
    )
