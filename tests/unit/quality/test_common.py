"""The project-exclude matching the quality checks share."""

from __future__ import annotations

import pytest

from atlas_ci.checks.quality.common import excluded

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("src/gen/a.py", ("gen",), True),  # a bare name matches any component
        ("src/pkg/a_pb2.py", ("*_pb2.py",), True),
        ("src/legacy/x/a.py", ("src/legacy",), True),  # a slash anchors at the root
        ("lib/src/legacy/a.py", ("src/legacy",), False),
        ("src/legacy/a.py", ("./src/legacy/",), True),
        ("src/generator.py", ("gen",), False),
        ("src/a.py", (), False),
        ("src/a.py", ("",), False),
    ],
)
def test_excluded(path, patterns, expected):
    assert excluded(path, patterns) is expected
