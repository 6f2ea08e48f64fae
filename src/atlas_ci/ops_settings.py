"""Settings of what happens around a run: history, retention and failure alerts (config tables)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from atlas_ci.settings import Settings


class HistorySettings(Settings):
    """`[history]`: one JSON line per gate run, so trends need no server."""

    enabled: bool = True
    path: str = Field(
        default=".atlas-ci/history.jsonl",
        description="The JSON-lines history file, relative to the project root.",
    )
    keep_days: float = Field(
        default=365, gt=0, description="`reports prune` drops history lines older than this."
    )


class BaselineSettings(Settings):
    """`[baseline]`: the committed findings baseline and metric ratchet (`atlas-ci baseline`)."""

    path: str = Field(
        default=".atlas-ci/baseline.json", description="The baseline file, relative to the root."
    )
    fail_on_stale: bool = Field(
        default=False,
        description="Fail a check whose baseline holds entries that no longer occur.",
    )


class RetentionSettings(Settings):
    """`[retention]`: days each kind of report artifact is kept by `atlas-ci reports prune`."""

    security: float = Field(default=90, gt=0)
    tests: float = Field(default=14, gt=0)
    deployment: float = Field(default=90, gt=0)
    performance: float = Field(default=30, gt=0)
    other: float = Field(default=30, gt=0, description="Anything not of the kinds above.")


class Webhook(Settings):
    """One alert receiver. The URL is read from an environment variable, never from config."""

    url_env: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Name of the environment variable holding the webhook URL.",
    )
    kind: Literal["slack", "teams", "json"] = "json"
    when: Literal["failure", "recovery", "always"] = Field(
        default="failure",
        description="failure: the run failed or errored; recovery: also the first pass after one; "
        "always: every run.",
    )


class NotifySettings(Settings):
    """`[notify]`: failure alerts. A failed delivery is a warning; it never changes the verdict."""

    webhooks: tuple[Webhook, ...] = ()
    timeout: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=5)
