"""A fresh Atlas process per test, so its metrics and logs hold only that test's traffic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from atlas.testing import AtlasProcess, running_server


@pytest.fixture
def atlas_server(tmp_path: Path) -> Iterator[AtlasProcess]:
    with running_server(tmp_path / "atlas.db", tmp_path / "server.log") as server:
        yield server
