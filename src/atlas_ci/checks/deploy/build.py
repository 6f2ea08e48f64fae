"""One build per run: `python -m build` of each configured distribution, then a fresh-venv install.

deploy.package, deploy.sbom and deploy.secrets all judge the same artifacts, and the runner runs
them in parallel: the first to ask builds (under a lock), the others wait and reuse the result.
Builds are pinned to SOURCE_DATE_EPOCH (the commit time unless the caller set it), so the same
commit gives byte-identical wheels and sdists.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import sys
import threading
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.utils import parse_sdist_filename, parse_wheel_filename

from atlas_ci.checks.base import CheckContext
from atlas_ci.checks.deploy.common import run, work_dir
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.checks.toolkit import ANY_EXIT, Tool, clean, error_line
from atlas_ci.errors import CheckError
from atlas_ci.process import ProcessResult

DeployContext = CheckContext[Any, DeployGateSettings]
BUILD = Tool("python -m build", (sys.executable, "-m", "build"), distribution="build")
VENV = Tool("python -m venv", (sys.executable, "-m", "venv"))
PIP = Tool("pip", (sys.executable, "-m", "pip"), distribution="pip")
GIT = Tool("git", ("git",))


@dataclass(frozen=True)
class Distribution:
    """One configured project directory after its build (and install) attempt."""

    path: str
    name: str = ""
    version: str = ""
    wheel: Path | None = None
    sdist: Path | None = None
    venv: Path | None = None
    scripts: tuple[str, ...] = ()
    build_error: str | None = None
    install_error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}" if self.name else self.path

    @property
    def artifacts(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.wheel, self.sdist) if p is not None)


@dataclass(frozen=True)
class Build:
    epoch: int
    dists: tuple[Distribution, ...]


_cache: dict[tuple[str, ...], Distribution] = {}
_locks: dict[tuple[str, ...], threading.Lock] = {}
_guard = threading.Lock()


def ensure(ctx: DeployContext) -> Build:
    """The run's build, made by whichever deploy check asks first (one lock per distribution)."""
    gate = ctx.gate_settings
    epoch = source_date_epoch(ctx)
    return Build(epoch, tuple(_ensure_one(ctx, gate, path, epoch) for path in gate.distributions))


def _ensure_one(
    ctx: DeployContext, gate: DeployGateSettings, path: str, epoch: int
) -> Distribution:
    key = (
        str(ctx.project.report_dir.resolve()),
        str((ctx.root / path).resolve()),
        gate.model_dump_json(include={"build_isolation", "install_from"}),
        str(epoch),
    )
    with _guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        if key not in _cache:
            _cache[key] = _build_one(ctx, gate, path, epoch)
        return _cache[key]


def forget() -> None:
    """Drop remembered builds (a new run in the same process builds afresh)."""
    with _guard:
        _cache.clear()


def source_date_epoch(ctx: DeployContext) -> int:
    """SOURCE_DATE_EPOCH when set, else the commit time of HEAD (reproducible builds)."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given:
        if not given.isdigit():
            raise CheckError(f"SOURCE_DATE_EPOCH is not a UNIX time: {given!r}")
        return int(given)
    res = run(ctx, GIT, ["log", "-1", "--format=%ct", "HEAD"], ok_codes=ANY_EXIT, timeout=30)
    text = res.stdout.strip()
    if res.returncode != 0 or not text.isdigit():
        raise CheckError(
            "cannot pin the build time: not a git commit and SOURCE_DATE_EPOCH is not set"
        )
    return int(text)


def _build_one(ctx: DeployContext, gate: DeployGateSettings, path: str, epoch: int) -> Distribution:
    project = (ctx.root / path).resolve()
    if not (project / "pyproject.toml").is_file():
        raise CheckError(f"distribution '{path}' has no pyproject.toml")
    out = work_dir(ctx, "dist", _slug(path))
    for old in out.iterdir():
        if old.is_file() and not old.is_symlink():
            old.unlink()
    args = ["--outdir", str(out), str(project)]
    if not gate.build_isolation:
        args.insert(0, "--no-isolation")
    env = {"SOURCE_DATE_EPOCH": str(epoch)}
    # A failed build is the package's problem (a finding); a build that never ran is an error.
    res = run(ctx, BUILD, args, cwd=project, env=env, ok_codes=ANY_EXIT)
    if "No module named build" in res.stderr:
        raise CheckError("the `build` package is not installed (pip install 'atlas-ci[deploy]')")
    if res.returncode != 0:
        return Distribution(path=path, build_error=_failure("python -m build", res))
    dist = _read_outputs(path, out)
    return _install(ctx, gate, dist)


def _read_outputs(path: str, out: Path) -> Distribution:
    wheels = sorted(out.glob("*.whl"))
    sdists = sorted(out.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        found = ", ".join(p.name for p in sorted(out.iterdir())) or "nothing"
        return Distribution(path=path, build_error=f"expected one wheel and one sdist, got {found}")
    name, version, _, _ = parse_wheel_filename(wheels[0].name)
    sdist_name, sdist_version = parse_sdist_filename(sdists[0].name)
    if (sdist_name, sdist_version) != (name, version):
        return Distribution(path=path, build_error="the wheel and the sdist disagree on name")
    return Distribution(
        path=path,
        name=str(name),
        version=str(version),
        wheel=wheels[0],
        sdist=sdists[0],
        scripts=console_scripts(wheels[0]),
    )


def console_scripts(wheel: Path) -> tuple[str, ...]:
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        if not names:
            return ()
        text = archive.read(names[0]).decode("utf-8")
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    if not parser.has_section("console_scripts"):
        return ()
    return tuple(sorted(parser.options("console_scripts")))


def _install(ctx: DeployContext, gate: DeployGateSettings, dist: Distribution) -> Distribution:
    """The wheel in a venv of its own: what a deployment gets, not the developer's tree."""
    assert dist.wheel is not None  # noqa: S101 - _read_outputs found it
    venv = work_dir(ctx, "venv") / dist.name
    if venv.is_symlink():
        raise CheckError(f"refusing to replace a symlink: {venv}")
    shutil.rmtree(venv, ignore_errors=True)
    run(ctx, VENV, ["--without-pip", str(venv)])
    python = venv / "bin" / "python"
    args = ["--python", str(python), "install", "--no-input", "--disable-pip-version-check"]
    args.append("--quiet")
    if gate.install_from == "environment":
        _link_project_env(ctx, venv)
        args.append("--no-deps")
    res = run(ctx, PIP, [*args, str(dist.wheel)], ok_codes=ANY_EXIT)
    if res.returncode != 0:
        why = _failure(f"pip install {dist.wheel.name}", res)
        return replace(dist, install_error=why)
    return replace(dist, venv=venv)


def _link_project_env(ctx: DeployContext, venv: Path) -> None:
    """install_from = environment: dependencies come from the project's own site-packages."""
    code = "import json, site; print(json.dumps(site.getsitepackages()))"
    python = Tool("project interpreter", (ctx.project.python,))
    res = run(ctx, python, ["-c", code], timeout=60)
    try:
        dirs = [str(d) for d in json.loads(res.stdout)]
    except (json.JSONDecodeError, TypeError):
        raise CheckError("cannot list the project interpreter's site-packages") from None
    (site,) = sorted((venv / "lib").glob("python*/site-packages"))
    # Plain path lines: the project's own .pth hooks (editable installs) stay inactive.
    (site / "zz-atlas-ci-project-env.pth").write_text("\n".join(dirs) + "\n", encoding="utf-8")


def _failure(what: str, res: ProcessResult) -> str:
    """Why a build or install failed, in the tool's own last words (bounded)."""
    lines = [ln.strip() for ln in clean(res.stderr + res.stdout).splitlines() if ln.strip()]
    last = " | ".join(lines[-6:])
    shown = last if len(last) <= 800 else "..." + last[-800:]
    return f"{what} exited {res.returncode}: {shown or error_line(res) or 'no output'}"


def _slug(path: str) -> str:
    return "root" if path in (".", "") else path.strip("/").replace("/", "_")
