"""Suite-wide test setup: category markers follow the directory a test lives in."""

from __future__ import annotations

from pathlib import Path

import pytest

CATEGORIES = ("unit", "integration", "observability", "reliability")
TESTS = Path(__file__).parent

# Fixture repositories hold deliberately broken code and tests of their own: never collect them.
collect_ignore = ["fixtures"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test carries the marker of its category directory, so `-m unit` equals tests/unit."""
    for item in items:
        parts = Path(str(item.fspath)).resolve().relative_to(TESTS.resolve()).parts
        if parts and parts[0] in CATEGORIES:
            item.add_marker(getattr(pytest.mark, parts[0]))
