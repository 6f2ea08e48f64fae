"""Real projects' sdists: every static check's findings equal the tool's own output, run by hand
on the same tree with the same settings (ruff, ruff format, mypy, radon, bandit, detect-secrets).

The sdists are downloaded in the test setup (`pip download --no-binary NAME --no-deps`, pinned
versions) into a cache directory kept between runs (`$ATLAS_CI_SDIST_CACHE`, else atlas-ci-sdists
under the system's temporary directory), once; with no registry reachable the tests are skipped
with the reason. Each project takes over a minute: marked slow (`pytest --run-slow`).

Both sides see the same tree with the same settings: no atlas-ci config, so its default paths
(src/ for attrs, the httpx package), each tool's own config from the sdist, radon from an empty
directory with every rank shown, bandit at atlas-ci's default thresholds, detect-secrets over the
whole tree (a pristine copy: the tools' caches are not the project's files). A third case gives
httpx `exclude = ["_urls.py"]` and each hand run its tool's own exclusion flag for that file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from atlas_ci import config, plan, pyproject, runner
from atlas_ci.checks.base import ProjectInfo
from atlas_ci.checks.quality import mypy_config
from atlas_ci.model import CheckResult, Status

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BIN = Path(sys.executable).parent
SDISTS = {"attrs": "25.3.0", "httpx": "0.28.1"}
# The issue's own example, on the project it came from: `exclude = ["_urls.py"]` must remove the
# file from every check, as each tool's own exclusion removes it when run by hand.
EXCLUDE = ("_urls.py",)
CASES = {"attrs": ("attrs", ()), "httpx": ("httpx", ()), "httpx-exclude": ("httpx", EXCLUDE)}
BY_HAND_EXCLUDE = {
    "ruff": ["--extend-exclude", "_urls.py"],
    "mypy": ["--exclude", r"(^|/)_urls\.py$"],
    "radon": ["-e", "*/_urls.py"],
    "bandit": ["-x", "_urls.py"],
    "detect-secrets": ["--exclude-files", r"(^|/)_urls\.py$"],
}
DOWNLOAD_TIMEOUT = 300
CACHE = "atlas-ci-sdists"
Key = tuple[Any, ...]


def _download(name: str, version: str, cache: Path) -> Path:
    found = sorted(cache.glob(f"{name}-{version}.tar.gz"))
    if found:
        return found[0]
    argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", name]
    argv += ["--disable-pip-version-check", "-q", "-d", str(cache), f"{name}=={version}"]
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"the package registry did not answer within {DOWNLOAD_TIMEOUT}s")
    found = sorted(cache.glob(f"{name}-{version}.tar.gz"))
    if proc.returncode != 0 or not found:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"cannot download the {name} {version} sdist (registry unreachable?): {last}")
    return found[0]


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> tuple[str, tuple[str, ...]]:
    return CASES[request.param]


def _hand(tool: str, project: ProjectInfo) -> list[str]:
    """The tool's own exclusion flags for the project's `exclude`, when it has one."""
    return BY_HAND_EXCLUDE[tool] if project.exclude else []


@pytest.fixture(scope="module")
def archive(case: tuple[str, tuple[str, ...]]) -> Path:
    name = case[0]
    cache = Path(os.environ.get("ATLAS_CI_SDIST_CACHE", Path(tempfile.gettempdir()) / CACHE))
    cache.mkdir(parents=True, exist_ok=True)
    return _download(name, SDISTS[name], cache)


def _extract(archive: Path, dest: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    return dest / archive.name.removesuffix(".tar.gz")


@pytest.fixture(scope="module")
def tree(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _extract(archive, tmp_path_factory.mktemp("sdist"))


@pytest.fixture(scope="module")
def pristine(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second copy no tool has run in: ruff and mypy leave caches in the tree they check, which
    the file set never scans and a hand run of detect-secrets would."""
    return _extract(archive, tmp_path_factory.mktemp("pristine"))


@pytest.fixture(scope="module")
def project(tree: Path, case: tuple[str, tuple[str, ...]]) -> ProjectInfo:
    # Reports outside the tree: the hand runs see exactly the sdist's files.
    cfg = config.load(tree)
    return replace(config.project_info(cfg, tree, tree.parent / "reports"), exclude=case[1])


@pytest.fixture(scope="module")
def results(tree: Path, project: ProjectInfo) -> dict[str, CheckResult]:
    cfg = config.load(tree)
    planned = {p.id: p for p in plan.all_checks(cfg, ["quality", "security"])}
    wanted = ("quality.lint", "quality.format", "quality.types", "quality.complexity")
    wanted += ("security.bandit", "security.secrets")
    return {c: runner.run_one(planned[c], project) for c in wanted}


def _run(argv: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1)) -> str:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode in ok, (argv[:4], proc.returncode, proc.stderr[-2000:])
    return proc.stdout


def _rel(path: str, root: Path) -> str:
    p = Path(path)
    if p.is_absolute():
        return p.resolve().relative_to(root.resolve()).as_posix()
    return Path(path.removeprefix("./")).as_posix()


def _judged(res: CheckResult) -> CheckResult:
    assert res.status in (Status.PASSED, Status.FAILED), (res.check, res.status, res.reason)
    return res


def _keys(res: CheckResult, key: Callable[[Any], Key]) -> set[Key]:
    return {key(f) for f in _judged(res).findings}


def test_lint_equals_ruff_check(tree, project, results):
    argv = [str(BIN / "ruff"), "check", "--output-format", "json", "--no-fix"]
    out = _run([*argv, *_hand("ruff", project), *project.paths], tree)
    by_hand = {
        (i["code"] or "invalid-syntax", _rel(i["filename"], tree), i["location"]["row"])
        for i in json.loads(out)
    }
    ours = _keys(
        results["quality.lint"], lambda f: (f.rule_id, f.location.path, f.location.start_line)
    )
    assert ours == by_hand
    assert len(results["quality.lint"].findings) == len(json.loads(out))


def test_format_equals_ruff_format_check(tree, project, results):
    argv = [str(BIN / "ruff"), "format", "--check", "--output-format", "json"]
    argv += [*_hand("ruff", project), *project.paths]
    by_hand = {_rel(i["filename"], tree) for i in json.loads(_run(argv, tree) or "[]")}
    assert _keys(results["quality.format"], lambda f: (f.location.path,)) == {(p,) for p in by_hand}


def test_types_equal_mypy(tree, project, results):
    section = mypy_config.find_section(tree)
    argv = [str(BIN / "mypy"), "--output", "json", "--no-error-summary", *_hand("mypy", project)]
    if not mypy_config.defines(section, "python_executable"):
        argv += ["--python-executable", project.python]
    if not any(mypy_config.defines(section, k) for k in ("files", "packages", "modules")):
        argv += list(project.paths)
    lines = [json.loads(line) for line in _run(argv, tree).splitlines() if line.strip()]
    by_hand = {
        (i["code"] or "misc", _rel(i["file"], tree), i["line"])
        for i in lines
        if i["severity"] == "error"
    }
    ours = _keys(
        results["quality.types"], lambda f: (f.rule_id, f.location.path, f.location.start_line)
    )
    assert ours == by_hand


def _blocks(entries: list[dict[str, Any]], path: str, out: set[Key]) -> None:
    for block in entries:
        out.add((path, block["lineno"], block["complexity"]))
        _blocks(block.get("methods", []) + block.get("closures", []), path, out)


def test_complexity_equals_radon_cc_and_mi(tree, project, results, tmp_path):
    # radon by hand from an empty directory: the sdist's pyproject.toml cannot crash its config
    # reader then (attrs' holds a bare `%`), and rank filters are asked for explicitly.
    paths = [str(tree / p) for p in project.paths]
    radon = str(BIN / "radon")
    paths = [*_hand("radon", project), *paths]
    cc = json.loads(
        _run([radon, "cc", "-j", "-n", "A", "-x", "F", "--show-closures", *paths], tmp_path)
    )
    mi = json.loads(_run([radon, "mi", "-j", "-n", "A", "-x", "C", *paths], tmp_path))
    blocks: set[Key] = set()
    for path, entries in cc.items():
        _blocks(entries, _rel(path, tree), blocks)
    limit = results["quality.complexity"].metrics[0].threshold
    by_hand = {("cyclomatic-complexity", p, line) for p, line, score in blocks if score > limit}
    by_hand |= {
        ("maintainability-index", _rel(p, tree), None) for p, v in mi.items() if v["mi"] < 20
    }
    ours = _keys(
        results["quality.complexity"], lambda f: (f.rule_id, f.location.path, f.location.start_line)
    )
    assert ours == by_hand
    metrics = {m.name: m.value for m in results["quality.complexity"].metrics}
    assert metrics["max_complexity"] == max(score for _, _, score in blocks)


def test_bandit_equals_bandit_run_by_hand(tree, project, results):
    argv = [sys.executable, "-m", "bandit", "-f", "json", "-q", "--exit-zero", "-r"]
    argv += ["--severity-level", "medium", "--confidence-level", "medium"]
    if pyproject.tool_table(pyproject.load(tree), "bandit") is not None:
        argv += ["-c", "pyproject.toml"]
    argv += _hand("bandit", project)
    report = json.loads(_run([*argv, *project.paths], tree, ok=(0,)))
    by_hand = {
        (i["test_id"], _rel(i["filename"], tree), i["line_number"]) for i in report["results"]
    }
    ours = _keys(
        results["security.bandit"], lambda f: (f.rule_id, f.location.path, f.location.start_line)
    )
    assert ours == by_hand
    scanned = {_rel(p, tree) for p in report["metrics"] if p != "_totals"}
    assert scanned, "bandit by hand scanned nothing: the comparison would prove nothing"


def test_secrets_equal_detect_secrets_scan(pristine, project, results):
    argv = [sys.executable, "-m", "detect_secrets", "scan", "-n", "--all-files"]
    argv += [*_hand("detect-secrets", project), "."]
    scan = json.loads(_run(argv, pristine, ok=(0,)))
    by_hand = {
        (_rel(path, pristine), item["line_number"])
        for path, items in scan["results"].items()
        for item in items
    }
    ours = _keys(results["security.secrets"], lambda f: (f.location.path, f.location.start_line))
    assert ours == by_hand
    assert len(results["security.secrets"].findings) == len(by_hand)
    if project.exclude:
        # Not vacuous: without the exclusion detect-secrets does report the excluded file.
        everything = json.loads(_run([*argv[:6], "."], pristine, ok=(0,)))
        assert any(path.endswith("_urls.py") for path in everything["results"])


def test_every_check_judged_something(results, project):
    """A comparison of two empty sets proves nothing: each check really looked at the code."""
    for check in ("quality.lint", "quality.types", "quality.complexity", "security.bandit"):
        assert _judged(results[check]).status in (Status.PASSED, Status.FAILED)
    assert project.paths  # the default paths found the package
    if project.exclude:  # the excluded file is really gone from every check
        for res in results.values():
            assert not [f for f in res.findings if f.location and "_urls.py" in f.location.path]
    modules = {m.name: m.value for m in results["quality.complexity"].metrics}
    assert modules["max_complexity"] > 1
