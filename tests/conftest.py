"""Suite-wide test setup: category markers follow the directory a test lives in."""

from __future__ import annotations

from pathlib import Path

import pytest

CATEGORIES = ("unit", "integration", "observability", "reliability")
TESTS = Path(__file__).parent

# Fixture repositories hold deliberately broken code and tests of their own: never collect them.
collect_ignore = ["fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run tests marked slow (minutes each: endurance, real sdists, repeated runs)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each test carries the marker of its category directory, so `-m unit` equals tests/unit.

    Tests marked `slow` are kept out of `make test` (its time budget) and shown as skipped with the
    way to run them, never dropped silently.
    """
    run_slow = bool(config.getoption("--run-slow"))
    skip_slow = pytest.mark.skip(reason="slow: run with `pytest --run-slow` (or `make test-slow`)")
    for item in items:
        parts = Path(str(item.fspath)).resolve().relative_to(TESTS.resolve()).parts
        if parts and parts[0] in CATEGORIES:
            item.add_marker(getattr(pytest.mark, parts[0]))
        if not run_slow and item.get_closest_marker("slow") is not None:
            item.add_marker(skip_slow)
