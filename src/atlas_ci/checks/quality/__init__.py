"""The quality gate: lint, format, types, complexity.

`GATE` is built on first access (quality/gate.py): the helpers run as their own processes
(`python -m atlas_ci.checks.quality.radon_pass`) import this package, and must not pay for every
check module and settings model to start.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "GATE":
        from atlas_ci.checks.quality.gate import GATE

        return GATE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
