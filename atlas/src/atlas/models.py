"""Request and response shapes, validated with Pydantic.

Every input model forbids unknown fields so that a typo ("lat" for "latitude") is an
error the client sees instead of a silently ignored value.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from atlas.geo import MAX_DISTANCE_KM
from atlas.storage import MAX_ID

Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=64),
    # Tags are slugs: letters, digits, "_" and "-" (Unicode letters allowed), so they
    # round-trip through a query string without escaping surprises.
    Field(pattern=r"^[\w-]+$"),
]

MAX_TAGS = 20


class PlaceIn(BaseModel):
    """Body of ``POST /places``."""

    # strict: a JSON string "51.5" is not a latitude, and true is not a number.
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    latitude: float = Field(ge=-90.0, le=90.0, allow_inf_nan=False)
    longitude: float = Field(ge=-180.0, le=180.0, allow_inf_nan=False)
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)

    @field_validator("tags")
    @classmethod
    def _dedupe_tags(cls, tags: list[str]) -> list[str]:
        # Keep first-seen order; a repeated tag carries no extra meaning.
        return list(dict.fromkeys(tags))


class NearQuery(BaseModel):
    """Query string of ``GET /places/near``; values arrive as strings, so lax parsing."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90.0, le=90.0, allow_inf_nan=False)
    lon: float = Field(ge=-180.0, le=180.0, allow_inf_nan=False)
    radius_km: float = Field(default=10.0, gt=0.0, le=round(MAX_DISTANCE_KM, 1) + 0.1)
    limit: int = Field(default=10, ge=1, le=100)


class ListQuery(BaseModel):
    """Query string of ``GET /places``: optional tag filter and keyset pagination."""

    model_config = ConfigDict(extra="forbid")

    tag: Tag | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    # SQLite integers are signed 64-bit: a larger cursor used to reach the driver and raise
    # OverflowError (a 500); it is a client error.
    after_id: int = Field(default=0, ge=0, le=MAX_ID)


def error_details(errors: list[Any]) -> list[dict[str, Any]]:
    """Turn Pydantic error dicts into the public ``details`` list.

    The offending input is left out on purpose: echoing it back could reflect a 64 KiB
    string or sensitive data into responses and logs.
    """
    details: list[dict[str, Any]] = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        details.append(
            {
                "field": ".".join(loc) if loc else None,
                "message": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return details
