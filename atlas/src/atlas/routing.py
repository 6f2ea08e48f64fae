"""Routes whose matching cannot raise: a 4,301-digit id is "no such route", not a crash.

Starlette's `:int` convertor hands any run of digits to int(); past 4,300 digits Python's
int-string limit raises ValueError while routes are matched — inside the observability
middleware, before any handler — so uvicorn answered a plain-text 500 with no request id, log
line or metric. Such a path now simply does not match: a JSON 404, logged and counted. The
route template (the metric label) stays `/places/{place_id:int}`.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.routing import Match, Route
from starlette.types import Scope


class SafeRoute(Route):
    def matches(self, scope: Scope) -> tuple[Match, MutableMapping[str, Any]]:
        try:
            return super().matches(scope)
        except ValueError:  # a path parameter its convertor cannot convert
            return Match.NONE, {}
