"""The shape of ruff's JSON diagnostics (shared by `ruff check` and `ruff format --check`)."""

from __future__ import annotations

from typing import NotRequired

from pydantic import TypeAdapter
from typing_extensions import TypedDict


class Position(TypedDict):
    row: int
    column: int


class Diagnostic(TypedDict):
    filename: str
    # ruff >= 0.5 names syntax errors "invalid-syntax"; older releases gave them a null code.
    code: str | None
    message: str
    location: Position
    end_location: NotRequired[Position | None]
    url: NotRequired[str | None]
    name: NotRequired[str | None]


DIAGNOSTICS = TypeAdapter(list[Diagnostic])
