"""Where a dependency is declared: the requirements-file or pyproject.toml line naming it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from atlas_ci import pyproject
from atlas_ci.checks.security.repo_files import inside

NAME = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
INCLUDE = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)")


@dataclass(frozen=True)
class Declaration:
    path: str  # repository-relative POSIX path of the manifest
    line: int | None  # None: the package is only a transitive dependency of this manifest


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, content) with backslash continuations joined and comments dropped."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        start, sofar = pending if pending else (number, "")
        if line.endswith("\\"):
            pending = (start, sofar + line[:-1] + " ")
            continue
        pending = None
        joined = (sofar + line).strip()
        if joined:
            out.append((start, joined))
    return out


def requirements_index(root: Path, files: list[str]) -> dict[str, Declaration]:
    """canonical name -> first declaring line, following nested -r/-c includes."""
    index: dict[str, Declaration] = {}
    seen: set[Path] = set()
    queue = [root / f for f in files]
    while queue:
        path = queue.pop(0).resolve()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        rel = inside(path, root) or path.as_posix()
        for number, line in logical_lines(path.read_text(encoding="utf-8", errors="replace")):
            include = INCLUDE.match(line)
            if include:
                queue.append(path.parent / include.group(1))
                continue
            match = None if line.startswith("-") else NAME.match(line)
            if match:
                index.setdefault(canonicalize_name(match.group(1)), Declaration(rel, number))
    return index


def pyproject_index(root: Path) -> dict[str, Declaration]:
    """canonical name -> the pyproject.toml line holding its requirement string."""
    path = root / pyproject.PYPROJECT
    try:
        project = pyproject.project_table(pyproject.read_toml(path)) or {}
        text = path.read_text(encoding="utf-8")
    except (pyproject.TomlError, OSError, UnicodeDecodeError):
        return {}  # only locates declarations; the audit itself reports an unreadable file
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    lines = text.splitlines()
    index: dict[str, Declaration] = {}
    for spec in specs:
        try:
            name = canonicalize_name(Requirement(spec).name)
        except (InvalidRequirement, TypeError):
            continue
        index.setdefault(name, Declaration("pyproject.toml", find_literal(lines, spec)))
    return index


def find_literal(lines: list[str], value: str) -> int | None:
    for number, line in enumerate(lines, start=1):
        if f'"{value}"' in line or f"'{value}'" in line:
            return number
    return None


def manifest_index(root: Path, manifest: str, declared: tuple[str, ...]) -> dict[str, Declaration]:
    """canonical name -> the setup.cfg / setup.py / pyproject.toml line naming a requirement."""
    try:
        lines = (root / manifest).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    index: dict[str, Declaration] = {}
    for spec in declared:
        try:
            name = Requirement(spec).name
        except InvalidRequirement:
            continue
        line = _line_naming(lines, name)
        index.setdefault(canonicalize_name(name), Declaration(manifest, line))
    return index


def _line_naming(lines: list[str], name: str) -> int | None:
    """The first line whose requirement-looking text starts with `name` (case-insensitive)."""
    pattern = re.compile(rf"(^|[\s'\"]){re.escape(name)}\s*([<>=!~;\[,'\"]|$)", re.IGNORECASE)
    for number, line in enumerate(lines, start=1):
        if pattern.search(line.split("#", 1)[0]):
            return number
    return None
