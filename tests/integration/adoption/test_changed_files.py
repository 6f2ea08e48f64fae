"""`--changed`: the change set of a real git repository (rename, edit, untracked file,
deletion) and `gate quality --changed` running the real tools on it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report

from atlas_ci import changes
from atlas_ci.errors import ConfigError

CLEAN = "def f(x: int) -> int:\n    return x\n"


def git(root: Path, *args: str) -> str:
    argv = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    argv += ["-c", "commit.gpgsign=false", *args]
    return subprocess.run(argv, cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: four clean modules; branch `feat` then edits, renames, deletes and adds."""
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / ".gitignore").write_text("reports/\n.atlas-ci/\nignored.py\n")
    (root / "atlas-ci.toml").write_text('[project]\npaths = ["src"]\n')
    for name in ("kept", "edited", "moved", "gone"):
        body = CLEAN + "".join(f"\n\ndef {name}_{i}() -> int:\n    return {i}\n" for i in range(8))
        (root / "src" / f"{name}.py").write_text(body)
    # An old lint error in a module the branch does not touch.
    kept = root / "src" / "kept.py"
    kept.write_text("import sys\n" + kept.read_text())
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feat")
    # A lint error on line 1 of the edited module (unused import), committed on the branch.
    edited = root / "src" / "edited.py"
    edited.write_text("import os\n\n\n" + edited.read_text())
    git(root, "mv", "src/moved.py", "src/renamed.py")
    git(root, "rm", "-q", "src/gone.py")
    git(root, "commit", "-qam", "feat")
    (root / "src" / "new.py").write_text(CLEAN)  # untracked, not ignored
    (root / "src" / "ignored.py").write_text("import sys\n")  # ignored: never in the set
    (root / "notes.txt").write_text("outside the configured paths\n")
    return root


def test_change_set_follows_renames_and_drops_deletions(repo: Path) -> None:
    found = changes.collect(repo, None, lines=True)
    assert found.files == ("notes.txt", "src/edited.py", "src/new.py", "src/renamed.py")
    base = git(repo, "merge-base", "HEAD", "main").strip()
    assert found.description == f"changed against the merge-base with main ({base[:12]})"
    assert found.lines is not None
    assert found.lines["src/edited.py"] == (changes.LineRange(1, 3),)  # import + 2 blank
    # A pure rename changes no line; an untracked file is changed as a whole.
    assert "src/renamed.py" not in found.lines
    assert found.touches("src/renamed.py", 3, 3) is False
    assert found.touches("src/new.py", 2, 2) is True
    assert found.touches("src/edited.py", 1, 1) is True
    assert found.touches("src/edited.py", 4, 4) is False
    assert found.touches("src/kept.py", 1, 1) is False


def test_explicit_ref_and_bad_ref(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    found = changes.collect(repo, "HEAD", lines=False)
    assert found.files == ("notes.txt", "src/new.py")  # only what is not committed
    assert head[:12] in found.description
    with pytest.raises(ConfigError, match="no such git ref"):
        changes.collect(repo, "no-such-branch", lines=False)


def test_default_base_prefers_origin_main(repo: Path) -> None:
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    found = changes.collect(repo, None, lines=False)
    assert found.description.startswith("changed against the merge-base with origin/main")
    assert found.files == ("notes.txt", "src/new.py")


def test_outside_a_work_tree_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="git work tree"):
        changes.collect(tmp_path, None, lines=False)


def test_gate_quality_changed_lints_only_changed_files(repo: Path) -> None:
    full = atlas_ci("gate", "quality", "--skip", "types", cwd=repo)
    assert full.returncode == 1, full.stdout + full.stderr
    paths = {f["location"]["path"] for f in checks(report(repo))["quality.lint"]["findings"]}
    assert paths == {"src/edited.py", "src/kept.py"}
    proc = atlas_ci("gate", "quality", "--skip", "types", "--changed", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = checks(report(repo))
    lint = found["quality.lint"]
    assert {f["location"]["path"] for f in lint["findings"]} == {"src/edited.py"}
    assert "only 3 file(s), changed against the merge-base with main" in lint["reason"]
    assert found["quality.complexity"]["status"] == "passed"
    assert found["quality.format"]["status"] == "passed"


def test_nothing_changed_skips_file_checks_with_the_reason(repo: Path) -> None:
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "all in")
    proc = atlas_ci("gate", "quality", "--skip", "types", "--changed", "HEAD", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for check_id in ("quality.lint", "quality.format", "quality.complexity"):
        res = checks(report(repo))[check_id]
        assert res["status"] == "skipped", res
        expected = "no Python files to check among the files changed against the merge-base"
        assert expected in res["reason"]


def test_changed_lines_filters_whole_program_findings(repo: Path) -> None:
    # A type error in an unchanged module and one on a changed line: mypy runs whole, the
    # report keeps the one on the changed line.
    kept = repo / "src" / "kept.py"
    kept.write_text(kept.read_text() + "\n\nBAD: int = 'x'\n")
    git(repo, "commit", "-qam", "old type error")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "feat")
    git(repo, "checkout", "-q", "-b", "next")
    (repo / "src" / "edited.py").write_text(CLEAN + "\n\nALSO_BAD: str = 1\n")
    proc = atlas_ci("gate", "quality", "--only", "types", "--changed", "--changed-lines", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    types = checks(report(repo))["quality.types"]
    assert [(f["location"]["path"], f["location"]["start_line"]) for f in types["findings"]] == [
        ("src/edited.py", 5)
    ]
    assert "1 finding(s) off the changed lines not shown" in types["reason"]
