"""The repository walk never enters virtual environments, node_modules or tool caches."""

from __future__ import annotations

import pytest

from atlas_ci import fileset

pytestmark = pytest.mark.unit


def test_walk_skips_environments_caches_and_hidden_dirs(tmp_path):
    for rel in (
        "src/pkg/a.py",
        "myenv/lib/x.py",
        "node_modules/m/index.js",
        "src/pkg/__pycache__/a.pyc",
        ".hidden/b.py",
        "build/lib/c.py",
        "pkg.egg-info/PKG-INFO",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    found = {p.relative_to(tmp_path).as_posix() for p in fileset.walk(tmp_path)}
    assert found == {"src/pkg/a.py"}
    assert ".hidden/b.py" in {
        p.relative_to(tmp_path).as_posix() for p in fileset.walk(tmp_path, hidden=True)
    }
