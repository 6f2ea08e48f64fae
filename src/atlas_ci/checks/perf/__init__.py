"""The perf gate."""

from __future__ import annotations

from atlas_ci.gates import GateSpec

GATE = GateSpec(name="perf", checks=(), summary="")
