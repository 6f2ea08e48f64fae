"""Result cache keys: what changes a key, what does not, and what is never cached."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from atlas_ci import cache as cache_mod
from atlas_ci.checks.base import ProjectInfo
from atlas_ci.config import load
from atlas_ci.model import CheckResult, Status
from atlas_ci.plan import all_checks


def setup(root: Path) -> tuple[dict[str, object], ProjectInfo]:
    (root / "src").mkdir()
    (root / "src" / "a.py").write_text("x = 1\n")
    (root / "README.md").write_text("hello\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    cfg = load(root)
    planned = {p.id: p for p in all_checks(cfg, ["quality", "security", "tests"])}
    project = ProjectInfo(
        root=root, paths=("src",), exclude=(), python=sys.executable, report_dir=root / "reports"
    )
    return planned, project  # type: ignore[return-value]


def key(root: Path, planned, project, check: str) -> str | None:  # type: ignore[no-untyped-def]
    return cache_mod.ResultCache(root).key(planned[check], project, "1.0")


def test_keys_follow_the_files_a_check_reads(tmp_path: Path) -> None:
    planned, project = setup(tmp_path)
    lint, secrets = (
        key(tmp_path, planned, project, c) for c in ("quality.lint", "security.secrets")
    )
    (tmp_path / "README.md").write_text("changed\n")
    assert key(tmp_path, planned, project, "quality.lint") == lint  # not a Python file
    assert key(tmp_path, planned, project, "security.secrets") != secrets  # every file
    (tmp_path / "src" / "a.py").write_text("x = 2\n")
    assert key(tmp_path, planned, project, "quality.lint") != lint
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\n")
    assert key(tmp_path, planned, project, "quality.lint") is not None


def test_tool_version_and_settings_are_in_the_key(tmp_path: Path) -> None:
    planned, project = setup(tmp_path)
    c = cache_mod.ResultCache(tmp_path)
    p = planned["quality.lint"]
    assert c.key(p, project, "1.0") != c.key(p, project, "1.1")
    other = p.__class__(**{**p.__dict__, "settings": p.settings.model_copy(update={"timeout": 5})})
    assert c.key(other, project, "1.0") != c.key(p, project, "1.0")


def test_environment_dependent_checks_are_never_cached(tmp_path: Path) -> None:
    planned, project = setup(tmp_path)
    for check in planned:
        if check.startswith("tests.") or check == "security.dependencies":
            assert key(tmp_path, planned, project, check) is None, check


def test_errors_and_results_with_artifacts_are_not_stored(tmp_path: Path) -> None:
    c = cache_mod.ResultCache(tmp_path)
    base = CheckResult(check="quality.lint", gate="quality", status=Status.PASSED)
    c.put("quality.lint", "k1", base.model_copy(update={"status": Status.ERROR}))
    c.put("quality.lint", "k2", base.model_copy(update={"artifacts": ("junit/x.xml",)}))
    c.put("quality.lint", "k3", base)
    assert c.get("quality.lint", "k1") is None
    assert c.get("quality.lint", "k2") is None
    hit = c.get("quality.lint", "k3")
    assert hit is not None
    assert hit.cached


def test_the_cache_is_bounded_per_check(tmp_path: Path) -> None:
    c = cache_mod.ResultCache(tmp_path)
    res = CheckResult(check="quality.lint", gate="quality", status=Status.PASSED)
    for i in range(cache_mod.MAX_ENTRIES + 3):
        c.put("quality.lint", f"k{i}", res)
    assert len(list((tmp_path / cache_mod.CACHE_DIR / "quality.lint").glob("*.json"))) == (
        cache_mod.MAX_ENTRIES
    )


def test_a_changed_files_run_has_its_own_key(tmp_path: Path) -> None:
    planned, project = setup(tmp_path)
    whole = key(tmp_path, planned, project, "quality.lint")
    narrowed = ProjectInfo(**{**project.__dict__, "files": ("src/a.py",)})
    assert key(tmp_path, planned, narrowed, "quality.lint") != whole
    other = ProjectInfo(**{**project.__dict__, "files": ()})
    assert key(tmp_path, planned, other, "quality.lint") not in (whole, None)
    assert key(tmp_path, planned, other, "quality.lint") != key(
        tmp_path, planned, narrowed, "quality.lint"
    )


def test_staged_results_are_stored_only_when_flushed_with_their_notes(tmp_path: Path) -> None:
    c = cache_mod.ResultCache(tmp_path)
    res = CheckResult(check="security.secrets", gate="security", status=Status.FAILED)
    note = {"path": "a.py", "line": 3, "kind": "Custom", "hashed_secret": "ab" * 20}
    c.stage("security.secrets", "k1", [note])
    assert c.get("security.secrets", "k1") is None  # nothing written while checks run
    redacted = res.model_copy(update={"reason": "[redacted]"})
    c.flush([redacted])
    found = c.entry("security.secrets", "k1")
    assert found is not None
    assert found[0].reason == "[redacted]"  # what the run redacted, not what the check returned
    assert found[1] == (note,)
    c.flush([redacted])  # a second flush stores nothing new: the staging was consumed
    c.stage("quality.lint", "k2")
    c.flush([res.model_copy(update={"check": "quality.lint", "cached": True})])
    assert c.get("quality.lint", "k2") is None  # a result served from the cache is not re-put


def test_an_entry_in_an_older_format_is_a_miss(tmp_path: Path) -> None:
    c = cache_mod.ResultCache(tmp_path)
    old = CheckResult(check="quality.lint", gate="quality", status=Status.PASSED)
    folder = tmp_path / cache_mod.CACHE_DIR / "quality.lint"
    folder.mkdir(parents=True)
    (folder / "k.json").write_text(old.model_dump_json())  # a bare result, as before notes
    assert c.get("quality.lint", "k") is None


def test_key_soon_is_the_key_and_does_not_wait_for_the_listing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    planned, project = setup(tmp_path)
    c = cache_mod.ResultCache(tmp_path)
    release = threading.Event()
    listed: list[str] = []

    def slow_listing(self: cache_mod.ResultCache, python: str) -> str:
        assert release.wait(30), "the listing was never released"
        listed.append(python)
        return "env-digest"

    monkeypatch.setattr(cache_mod.ResultCache, "_environment", slow_listing)
    # Returns while the listing is still blocked: the check can start at once.
    finish = c.key_soon(planned["quality.types"], project, "1.0")
    assert listed == []
    release.set()
    assert finish() == c.key(planned["quality.types"], project, "1.0")
    assert listed == [sys.executable, sys.executable]
    # Keys without the interpreter's listing are complete at once, and equal too.
    lint = c.key_soon(planned["quality.lint"], project, "1.0")
    assert lint() == c.key(planned["quality.lint"], project, "1.0")
    assert c.key_soon(planned["tests.unit"], project, "1.0")() is None


def test_holds_says_whether_any_result_of_the_check_is_stored(tmp_path: Path) -> None:
    c = cache_mod.ResultCache(tmp_path)
    assert not c.holds("quality.types")
    res = CheckResult(check="quality.types", gate="quality", status=Status.PASSED)
    c.put("quality.types", "k1", res)
    assert c.holds("quality.types")
    assert not c.holds("quality.lint")
