"""A real Atlas server process per test module, on 127.0.0.1 and a free port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from atlas.testing import AtlasProcess, running_server


@pytest.fixture(scope="module")
def atlas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtlasProcess]:
    workdir = tmp_path_factory.mktemp("atlas")
    with running_server(workdir / "atlas.db", workdir / "server.log") as server:
        yield server
