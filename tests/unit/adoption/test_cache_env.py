"""The interpreter listing behind quality.types' cache key: remembered by stat, never stale."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from atlas_ci import cache_env


def fake_python(tmp_path: Path, site: Path, dists: list[str]) -> Path:
    """An 'interpreter' that prints a listing (and counts how often it was asked)."""
    script = tmp_path / "python"
    calls = tmp_path / "calls"
    listing = json.dumps({"dists": dists, "path": [str(site)], "user_site": None})
    script.write_text(
        f"#!{sys.executable}\nopen({str(calls)!r}, 'a').write('x')\nprint({listing!r})\n"
    )
    script.chmod(0o755)
    return script


def calls(tmp_path: Path) -> int:
    path = tmp_path / "calls"
    return len(path.read_text()) if path.exists() else 0


def test_the_listing_is_remembered_until_a_path_directory_changes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    root = tmp_path / "repo"
    root.mkdir()
    python = str(fake_python(tmp_path, site, ["a==1"]))
    memo = cache_env.EnvironmentDigests(root / ".atlas-ci" / "cache" / "environments.json")
    first = memo.digest(python, root)
    assert first is not None
    assert memo.digest(python, root) == first
    assert calls(tmp_path) == 1  # remembered: no second start
    (site / "b-2.dist-info").mkdir()  # an install changes the directory
    fake_python(tmp_path, site, ["a==1", "b==2"])
    second = memo.digest(python, root)
    assert calls(tmp_path) == 2
    assert second not in (None, first)


def test_an_interpreter_that_cannot_list_gives_no_digest(tmp_path: Path) -> None:
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    memo = cache_env.EnvironmentDigests(tmp_path / "environments.json")
    assert memo.digest(str(broken), tmp_path) is None
    assert memo.digest(str(tmp_path / "missing"), tmp_path) is None
    assert not (tmp_path / "environments.json").exists()
