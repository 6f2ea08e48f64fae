"""Builders for pipeline tests: the reporters' factories, shared."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

_spec = importlib.util.spec_from_file_location(
    "reporters_conftest", Path(__file__).resolve().parents[1] / "reporters" / "conftest.py"
)
assert _spec
assert _spec.loader
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
Build = _mod.Build


@pytest.fixture
def build() -> Any:
    return Build
