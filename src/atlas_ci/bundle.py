"""The deployment bundle: DIR/<name>-<version>/ with the distributions, SBOMs, units, config,
gate reports, DEPLOY.md, manifest.json and SHA256SUMS (`sha256sum -c SHA256SUMS` verifies it).

Reproducible by construction: every file is a copy of a reproducible build output or is
generated from facts without a clock (the build time is SOURCE_DATE_EPOCH), so the same commit
and epoch give a byte-identical bundle; file times are set to the epoch as well.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from atlas_ci.checks.deploy.settings import ServiceSettings
from atlas_ci.errors import AtlasCIError

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
GUIDE = "DEPLOY.md"


@dataclass(frozen=True)
class Artifact:
    """One distribution of the bundle: its files as built, and the SBOM of its closure."""

    name: str
    version: str
    wheel: Path
    sdist: Path
    sbom: Path
    scripts: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitFacts:
    """What DEPLOY.md needs to know of a unit: where it goes and who it runs as."""

    source: Path
    name: str
    dynamic_user: bool
    user: str | None
    state_directory: str | None


@dataclass(frozen=True)
class Facts:
    name: str
    version: str
    commit: str
    epoch: int
    environment: str
    service: ServiceSettings
    artifacts: tuple[Artifact, ...]
    units: tuple[UnitFacts, ...]
    # (repository path, path under config/<environment>/)
    config_files: tuple[tuple[Path, str], ...]
    evidence: dict[str, Path] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def dirname(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def build_time(self) -> str:
        return datetime.fromtimestamp(self.epoch, UTC).isoformat().replace("+00:00", "Z")

    @property
    def service_artifact(self) -> Artifact:
        """The distribution the service runs: listed first."""
        return self.artifacts[0]


def layout(facts: Facts) -> dict[str, Path]:
    """Bundle path -> source file, for everything copied into the bundle."""
    files: dict[str, Path] = {}
    for a in facts.artifacts:
        files[f"dist/{a.wheel.name}"] = a.wheel
        files[f"dist/{a.sdist.name}"] = a.sdist
        files[f"sbom/{a.sbom.name}"] = a.sbom
    for unit in facts.units:
        files[f"systemd/{unit.name}"] = unit.source
    for source, rel in facts.config_files:
        files[f"config/{facts.environment}/{rel}"] = source
    for gate, report in sorted(facts.evidence.items()):
        files[f"reports/{gate}.json"] = report
    return files


def config_target(repo_path: str, environment: str) -> str:
    """Where a config file goes under config/<environment>/: the part after `<environment>/`."""
    parts = PurePosixPath(repo_path).parts
    if environment in parts[:-1]:
        index = len(parts) - 1 - parts[::-1].index(environment)
        return "/".join(parts[index + 1 :])
    return parts[-1]


def write(facts: Facts, out_dir: Path) -> Path:
    """Write the bundle under out_dir; a previous bundle of the same version is replaced whole."""
    from atlas_ci import deploy_guide

    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / facts.dirname
    if final.is_symlink() or (final.exists() and not (final / MANIFEST).is_file()):
        raise AtlasCIError(f"{final} exists and is not an atlas-ci bundle: not replacing it")
    staging = Path(tempfile.mkdtemp(prefix=f".{facts.dirname}.", dir=out_dir))
    try:
        for rel, source in layout(facts).items():
            _copy(source, staging / rel)
        _text(staging / GUIDE, deploy_guide.render(facts))
        _text(staging / MANIFEST, manifest(facts, _sums(staging)))
        _text(staging / SUMS, "".join(f"{h}  {p}\n" for p, h in _sums(staging).items()))
        _settle(staging, facts.epoch)
        _replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def manifest(facts: Facts, sums: dict[str, str]) -> str:
    data = {
        "name": facts.name,
        "version": facts.version,
        "commit": facts.commit,
        "build_time": facts.build_time,
        "source_date_epoch": facts.epoch,
        "environment": facts.environment,
        "decision": "go",
        "checks": dict(sorted(facts.checks.items())),
        "distributions": [
            {
                "name": a.name,
                "version": a.version,
                "wheel": f"dist/{a.wheel.name}",
                "sdist": f"dist/{a.sdist.name}",
                "sbom": f"sbom/{a.sbom.name}",
            }
            for a in facts.artifacts
        ],
        "units": [f"systemd/{u.name}" for u in facts.units],
        "config": [f"config/{facts.environment}/{rel}" for _, rel in facts.config_files],
        "reports": {gate: f"reports/{gate}.json" for gate in sorted(facts.evidence)},
        "checksums": sums,
    }
    return json.dumps(data, indent=2) + "\n"


def _sums(root: Path) -> dict[str, str]:
    """sha256 of every file so far, by bundle path (sorted, POSIX)."""
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel != SUMS:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _copy(source: Path, target: Path) -> None:
    if source.is_symlink() or not source.is_file():
        raise AtlasCIError(f"cannot bundle {source}: not a regular file")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o644)


def _text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)


def _settle(root: Path, epoch: int) -> None:
    # Same times on every run, so an archive of the bundle is reproducible too.
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_dir():
            path.chmod(0o755)
        os.utime(path, (epoch, epoch), follow_symlinks=False)
    root.chmod(0o755)
    os.utime(root, (epoch, epoch))


def _replace(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
