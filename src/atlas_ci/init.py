"""`atlas-ci init`: an atlas-ci.toml and workflows fitted to the repository, never overwriting.

These are the only files atlas-ci writes outside a report directory, and only on this explicit
command: the config at the root and the workflows under .github/workflows/. An existing file is
left alone unless `--force` says otherwise, and then all of them are written or none (the check
for existing files happens before the first write).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

from atlas_ci import init_detect, init_render, reporting
from atlas_ci.errors import ConfigError

ACTION_REF = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$")
_GITHUB_REPO = re.compile(r"github\.com[/:]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class Written:
    paths: tuple[Path, ...]
    facts: init_detect.Facts


def run(root: Path, *, action: str | None, force: bool, branch: str = "main") -> Written:
    ref = _action(action)
    facts = replace(init_detect.detect(root), default_branch=branch)
    files = {root / "atlas-ci.toml": init_render.config(facts)}
    for name, text in init_render.workflows(facts, ref).items():
        files[root / ".github" / "workflows" / name] = text
    _refuse_existing(root, list(files), force)
    for path, text in files.items():
        reporting.write_atomic(path, text)
    return Written(tuple(files), facts)


def _action(action: str | None) -> str:
    ref = action or installed_action()
    if ref is None:
        raise ConfigError(
            "pass --action OWNER/REPO@COMMIT: the workflows pin atlas-ci's action to a commit "
            "(zizmor rejects a tag), and this installation does not say which commit it is"
        )
    if not ACTION_REF.match(ref):
        raise ConfigError(f"--action must be OWNER/REPO@<40-hex commit>, not {ref!r}")
    return ref


def _refuse_existing(root: Path, paths: list[Path], force: bool) -> None:
    """Every refusal happens before the first write: all files are written, or none."""
    links = [p for p in paths if p.is_symlink()]
    if links:
        shown = ", ".join(p.relative_to(root).as_posix() for p in links)
        raise ConfigError(f"{shown}: a symlink; atlas-ci does not write through it")
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        shown = ", ".join(p.relative_to(root).as_posix() for p in existing)
        raise ConfigError(f"{shown} already exist(s); pass --force to overwrite")


def installed_action() -> str | None:
    """OWNER/REPO@COMMIT when atlas-ci was installed from a GitHub checkout (pip's direct_url)."""
    try:
        text = metadata.distribution("atlas-ci").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not text:
        return None
    data = json.loads(text)
    commit = (data.get("vcs_info") or {}).get("commit_id")
    found = _GITHUB_REPO.search(str(data.get("url", "")))
    if not commit or not found:
        return None
    return f"{found.group(1)}/{found.group(2)}@{commit}"
