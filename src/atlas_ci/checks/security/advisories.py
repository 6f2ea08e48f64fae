"""An offline advisory database: a directory of OSV records (JSON, or YAML like PyPA's), queryable.

Matching follows the OSV schema: ecosystem PyPI, the package's normalized name, and the version
against `affected[].versions` or the ECOSYSTEM `ranges` (introduced / fixed / last_affected events).
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from atlas_ci.errors import CheckError

SUFFIXES = (".json", ".yaml", ".yml")
RANGE_TYPES = ("ECOSYSTEM", "SEMVER")


@dataclass(frozen=True)
class AdvisoryDB:
    records: tuple[dict[str, Any], ...]

    def query(self, name: str, version: str) -> list[dict[str, Any]]:
        """Records affecting this PyPI package version, with package names normalized."""
        canonical = canonicalize_name(name)
        try:
            wanted = Version(version)
        except InvalidVersion:
            return []
        hits = []
        for record in self.records:
            if any(affects(a, canonical, wanted) for a in record.get("affected", [])):
                hits.append(normalized(record))
        return hits

    def severity_of(self, ids: set[str]) -> str | None:
        """A record's own severity label (GHSA style `database_specific.severity`), if any."""
        for record in self.records:
            if ids & {record["id"], *record.get("aliases", [])}:
                specific = record.get("database_specific")
                if isinstance(specific, dict) and isinstance(specific.get("severity"), str):
                    return str(specific["severity"])
        return None


def load(folder: Path) -> AdvisoryDB:
    if not folder.is_dir():
        raise CheckError(f"advisory_db is not a directory: {folder}")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    if not files:
        # An empty directory (a failed sync, a wrong path inside the checkout) would let every
        # package pass as "no known vulnerabilities" having been checked against nothing.
        raise CheckError(
            f"advisory_db holds no OSV records ({', '.join(sorted(SUFFIXES))} files): {folder}; "
            "nothing to audit against"
        )
    return AdvisoryDB(records=tuple(load_record(p, folder) for p in files))


def load_record(path: Path, folder: Path) -> dict[str, Any]:
    name = path.relative_to(folder).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
        data = parse_yaml(text) if path.suffix != ".json" else json.loads(text)
        check_record(data)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as exc:
        raise CheckError(f"malformed advisory file {name} in advisory_db: {exc}") from None
    return data  # type: ignore[no-any-return]


def parse_yaml(text: str) -> Any:
    try:
        # Optional and without type hints: loaded by name, so its API is plainly Any to mypy.
        yaml = importlib.import_module("yaml")
    except ImportError:
        raise ValueError("YAML advisories need PyYAML (pip install pyyaml)") from None
    try:
        return jsonable(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {exc}") from None


def jsonable(value: Any) -> Any:
    """YAML turns timestamps into datetimes; OSV (and pip-audit's parser) wants RFC 3339 text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.UTC) if value.tzinfo else value
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def check_record(data: Any) -> None:
    """Reject what the OSV schema forbids and we rely on, so a bad record cannot pass silently."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ValueError("not an OSV record (no string `id`)")
    if not isinstance(data.get("aliases", []), list):
        raise ValueError("`aliases` is not a list")
    affected = data.get("affected", [])
    if not isinstance(affected, list):
        raise ValueError("`affected` is not a list")
    for entry in affected:
        check_affected(entry)


def check_affected(entry: Any) -> None:
    """A PyPI entry's range versions must parse: a typo must not make the record match nothing."""
    package = entry["package"]
    if not isinstance(package["name"], str) or not isinstance(package["ecosystem"], str):
        raise ValueError("`affected[].package` needs string `name` and `ecosystem`")
    if package["ecosystem"] != "PyPI":
        return
    for rng in entry.get("ranges", []):
        if rng["type"] in RANGE_TYPES:
            check_events(rng["events"])


def check_events(events: Any) -> None:
    for event in events:
        for key, value in event.items():
            if key != "limit" and value != "0":
                Version(value)  # InvalidVersion is a ValueError


def affects(entry: dict[str, Any], canonical: str, version: Version) -> bool:
    package = entry.get("package", {})
    if (
        package.get("ecosystem") != "PyPI"
        or canonicalize_name(package.get("name", "")) != canonical
    ):
        return False
    listed = entry.get("versions", [])
    if any(same_version(v, version) for v in listed):
        return True
    return any(
        in_range(r, version) for r in entry.get("ranges", []) if r.get("type") in RANGE_TYPES
    )


def same_version(text: str, version: Version) -> bool:
    try:
        return Version(text) == version
    except InvalidVersion:
        return False


def in_range(rng: dict[str, Any], version: Version) -> bool:
    """The OSV evaluation: walk events in version order, toggling `affected`."""
    affected = False
    for kind, at in sorted_events(rng.get("events", [])):
        if kind == "introduced" and (at is None or version >= at):
            affected = True
        elif at is not None and ended(kind, at, version):
            affected = False
    return affected


def ended(kind: str, at: Version, version: Version) -> bool:
    """`fixed` is the first unaffected version; `last_affected` the last affected one."""
    return (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at)


def sorted_events(events: list[dict[str, str]]) -> list[tuple[str, Version | None]]:
    """(kind, version) pairs in version order; introduced "0" (None) sorts first."""
    pairs = []
    for event in events:
        for kind, raw in event.items():
            if kind in ("introduced", "fixed", "last_affected"):
                pairs.append((kind, None if raw == "0" else Version(raw)))
    return sorted(pairs, key=lambda p: (p[1] is not None, p[1] or Version("0")))


def normalized(record: dict[str, Any]) -> dict[str, Any]:
    """pip-audit reads fix versions only from entries whose name equals the canonical name."""
    out = copy.deepcopy(record)
    for entry in out.get("affected", []):
        package = entry.get("package", {})
        if package.get("ecosystem") == "PyPI" and isinstance(package.get("name"), str):
            package["name"] = canonicalize_name(package["name"])
    return out
