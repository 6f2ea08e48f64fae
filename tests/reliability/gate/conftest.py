"""Fixtures of the reliability gate tests."""

from __future__ import annotations

import pytest

from atlas_ci.model import CheckResult


@pytest.fixture
def metrics_of():
    def by_name(res: CheckResult) -> dict[str, float]:
        return {m.name: m.value for m in res.metrics}

    return by_name
