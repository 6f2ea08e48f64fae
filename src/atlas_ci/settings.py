"""Settings models shared by every check and gate (frozen, unknown keys rejected)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_TIMEOUT = 600.0


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CheckSettings(Settings):
    """Keys every check accepts under `[gates.<gate>.<check>]`."""

    enabled: bool = True
    timeout: float = Field(
        default=DEFAULT_TIMEOUT, gt=0, description="Seconds before the tool is killed."
    )
    command: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        description="argv prefix used instead of the default tool invocation "
        "(e.g. to pin a binary).",
    )


class GateSettings(Settings):
    """Keys every gate accepts under `[gates.<gate>]`."""

    enabled: bool = True
