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


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("httpx/_urls.py", ["_urls.py"], True),  # a bare name matches at any depth
        ("_urls.py", ["_urls.py"], True),
        ("src/gen/a.py", ["gen/"], True),  # a directory anywhere, and what lies under it
        ("src/gen", ["gen/"], False),  # a file named like the directory pattern
        ("src/a.py", ["/a.py"], False),  # anchored at the root
        ("a.py", ["/a.py"], True),
        ("tests/fixtures/x/y.py", ["tests/fixtures"], True),
        ("docs/deep/x.md", ["docs/**/*.md"], True),
        ("keep.md", ["*.md", "!keep.md"], False),
        ("src/a.py", [], False),
    ],
)
def test_exclude_is_gitignore_style(path, patterns, expected):
    assert fileset.excluded(path, patterns) is expected


def test_repository_files_outside_git_skip_environments_but_keep_hidden_files(tmp_path):
    for rel in ("src/a.py", ".env", ".github/workflows/ci.yml", "env/lib/x.py", "src/build/b.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    (tmp_path / "env" / "pyvenv.cfg").write_text("")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.py").write_text("")
    assert fileset.repository_files(tmp_path) == [
        ".env",
        ".github/workflows/ci.yml",
        "src/a.py",
        "src/build/b.py",  # a package named build below the root is source
    ]


# Paths and patterns where a home-made matcher would part from git: directory-only patterns,
# anchoring, `**`, re-inclusion inside an excluded directory (impossible) and inside `dir/**`
# (possible), character classes, and names that only look like a pattern's directory.
GIT_PATHS = (
    "pkg/_urls.py",
    "_urls.py",
    "pkg/_urls.pyc",
    "pkg/gen/a_pb2.py",
    "pkg/gen/keep.py",
    "gen.py",
    "legacy/old.py",
    "legacy/keep.py",
    "pkg/legacy/old.py",
    "pkg/legacy/keep.py",
    "pkg/legacy/deep/x.py",
    "build/out.py",
    "src/build/mod.py",
    "a/b/c.py",
    "x/a/b/c.py",
    "docs/conf.py",
    "tests/test_a1.py",
    "tests/test_b.py",
)
GIT_PATTERNS = (
    ("_urls.py",),
    ("*_pb2.py",),
    ("gen/",),
    ("gen/", "!keep.py"),
    ("legacy/**",),
    ("legacy/**", "!legacy/keep.py"),
    ("pkg/legacy/**", "!pkg/legacy/keep.py"),
    ("legacy/", "!keep.py"),
    ("**/legacy/deep",),
    ("/build",),
    ("build",),
    ("a/b",),
    ("**/a/b",),
    ("/docs/",),
    ("tests/test_[a]?.py",),
    ("*.py", "!tests/"),
    ("*.py", "!*/", "!pkg/**"),
)


@pytest.mark.parametrize("patterns", GIT_PATTERNS, ids=" ".join)
def test_exclude_removes_exactly_what_git_ignores(tmp_path, patterns):
    """The ground truth for "gitignore-style": git itself, with the patterns as .gitignore."""
    import subprocess

    for rel in GIT_PATHS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("\n".join(patterns) + "\n")
    out = subprocess.run(
        ["git", "ls-files", "-z", "--others", "--exclude-standard"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    kept_by_git = sorted(n for n in out.split("\0") if n and n != ".gitignore")
    assert fileset.select(sorted(GIT_PATHS), patterns) == kept_by_git


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("src/legacy/a.py", "./src/legacy/", True),
        ("lib/src/legacy/a.py", "./src/legacy/", False),
        ("gen/a.py", "./gen", True),
        ("x/gen/a.py", "./gen", False),
        ("gen/keep.py", "!./gen/keep.py", False),
    ],
)
def test_a_leading_dot_slash_anchors_at_the_root(path, pattern, expected):
    assert fileset.excluded(path, [pattern]) is expected
