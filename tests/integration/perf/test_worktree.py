"""Choosing the base commit and checking it out in a temporary worktree (real git)."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ci.checks.perf.worktree import checkout, resolve_base
from atlas_ci.errors import CheckError

from .conftest import git, make_repo

pytestmark = pytest.mark.integration


def test_base_resolution_order(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    first, second = git(root, "rev-parse", "HEAD~1"), git(root, "rev-parse", "HEAD")
    assert resolve_base(root, "HEAD", "HEAD~1").sha == second  # --base wins
    assert resolve_base(root, None, "HEAD").sha == second  # then [gates.perf] base
    on_main = resolve_base(root, None, None)  # on the default branch: the previous commit
    assert (on_main.sha, on_main.described) == (first, "HEAD~1")
    git(root, "checkout", "-qb", "feature")
    (root / "README.md").write_text("feature 1\n")
    git(root, "commit", "-qam", "f1")
    (root / "README.md").write_text("feature 2\n")
    git(root, "commit", "-qam", "f2")
    on_branch = resolve_base(root, None, None)  # a branch: where it left main
    assert (on_branch.sha, on_branch.described) == (second, "merge-base of HEAD and main")


def test_bad_refs_and_missing_history_are_clear_errors(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    with pytest.raises(CheckError, match=r"'nope' \(from --base\) is not a commit"):
        resolve_base(root, "nope", None)
    single = tmp_path / "single"
    single.mkdir()
    git(single, "init", "-q", "-b", "main")
    git(
        single,
        "-c",
        "user.email=a@b.invalid",
        "-c",
        "user.name=a",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "only",
    )
    with pytest.raises(CheckError, match="no parent commit"):
        resolve_base(single, None, None)


def test_the_worktree_holds_the_base_and_is_removed_even_on_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"FACTOR = 1": "FACTOR = 2"})
    base = resolve_base(root, None, None)
    seen: list[Path] = []

    def use_then_fail() -> None:
        with checkout(root, base.sha) as tree:
            seen.append(tree)
            assert "FACTOR = 1" in (tree / "src" / "fx" / "__init__.py").read_text()
            assert git(tree, "rev-parse", "HEAD") == base.sha
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        use_then_fail()
    assert not seen[0].exists()
    assert len(git(root, "worktree", "list").splitlines()) == 1
    assert "FACTOR = 2" in (root / "src" / "fx" / "__init__.py").read_text()  # head untouched
