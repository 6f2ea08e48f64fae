"""The tests gate."""

from __future__ import annotations

from atlas_ci.gates import GateSpec

GATE = GateSpec(name="tests", checks=(), summary="")
