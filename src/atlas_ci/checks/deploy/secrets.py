"""deploy.secrets: detect-secrets over what ships — the unpacked wheels and sdists, and the units
and configuration files the bundle carries — so a file git ignores but the build picked up (a
`.env`, a key) never leaves. Only detect-secrets' JSON is read: it holds hashes, never values.
"""

from __future__ import annotations

import fnmatch
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from pydantic import Field

from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, python_module
from atlas_ci.checks.deploy import build
from atlas_ci.checks.deploy.common import work_dir
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.checks.security.policy import SecurityGateSettings
from atlas_ci.checks.security.secrets_report import Hit, load_scan, to_findings
from atlas_ci.checks.security.secrets_scan import BATCH, batches, withheld
from atlas_ci.checks.toolkit import Tool, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding
from atlas_ci.settings import CheckSettings, Settings

# Unpacking is bounded: a hostile or broken archive cannot fill the disk.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 20000


class Allowed(Settings):
    """A known false positive: still reported, as advisory, with the reason it is allowed."""

    path: str = Field(description="Glob of the shipped path (e.g. '*/atlas_ci/detectors.py').")
    rule: str = Field(description="The finding's rule id (e.g. basic-auth-credentials).")
    reason: str = Field(min_length=1, description="Why this is not a secret.")


class DeploySecretsSettings(CheckSettings):
    allow: tuple[Allowed, ...] = Field(
        default=(), description="Known false positives (path glob + rule), each with a reason."
    )


DeploySecretsContext = CheckContext[DeploySecretsSettings, DeployGateSettings]


def secrets_tool(project: ProjectInfo) -> Tool:
    return Tool(
        "detect-secrets", tuple(python_module("detect_secrets")), distribution="detect-secrets"
    )


class DeploySecrets:
    gate = "deploy"
    name = "secrets"
    tool = "detect-secrets"
    settings_model = DeploySecretsSettings
    exclusive = False

    def version(self, project: ProjectInfo) -> str | None:
        return secrets_tool(project).version(project.root)

    def run(self, ctx: DeploySecretsContext) -> CheckResult:
        built = build.ensure(ctx)
        broken = [d.label for d in built.dists if d.build_error is not None]
        if broken:
            raise CheckError(
                f"nothing to scan: the build of {', '.join(broken)} failed (see deploy.package)"
            )
        tool = secrets_tool(ctx.project).using(ctx.settings.command)
        hits: list[Hit] = []
        scanned = 0
        with tempfile.TemporaryDirectory(dir=work_dir(ctx)) as tmp:
            for artifact in (a for d in built.dists for a in d.artifacts):
                target = Path(tmp) / artifact.name
                files = unpack(artifact, target)
                scanned += len(files)
                label = _label(ctx, artifact)
                hits += [_renamed(h, label) for h in scan_tree(ctx, tool, target, files)]
            extra = bundled_files(ctx)
            scanned += len(extra)
            hits += scan_tree(ctx, tool, ctx.root, extra)
        # Every secret that ships blocks, whatever the security gate's reporting threshold.
        as_security = CheckContext(ctx.project, ctx.settings, SecurityGateSettings(fail_on="low"))
        findings = [_allowed(f, ctx.settings.allow) for f in to_findings(self, as_security, hits)]
        return judged(
            self,
            findings,
            version=tool.version(ctx.root),
            reason_ok=f"no secrets in {scanned} shipped file(s)",
        )


def _allowed(finding: Finding, allow: tuple[Allowed, ...]) -> Finding:
    path = finding.location.path if finding.location else ""
    for entry in allow:
        if entry.rule == finding.rule_id and fnmatch.fnmatchcase(path, entry.path):
            note = f"{finding.message} (allowed: {entry.reason})"
            return finding.model_copy(update={"blocking": False, "message": note})
    return finding


def bundled_files(ctx: DeploySecretsContext) -> list[str]:
    """The repository files the bundle copies besides the distributions (units, config)."""
    from atlas_ci.checks.deploy.bundle_inputs import config_paths, unit_paths

    return sorted({*unit_paths(ctx), *config_paths(ctx)})


def scan_tree(ctx: DeploySecretsContext, tool: Tool, root: Path, files: list[str]) -> list[Hit]:
    """detect-secrets over files under root; -n: no candidate is sent anywhere to be verified."""
    hits = []
    for batch in batches(files, BATCH):
        res = run_tool(
            tool,
            ["scan", "-n", "--", *batch],
            cwd=root,
            timeout=ctx.settings.timeout,
            detail=withheld,
        )
        hits += load_scan(res.stdout, root, source="detect-secrets output")
    return hits


def _unzip(archive: Path, target: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        members = [(i.filename, i.file_size) for i in zf.infolist() if not i.is_dir()]
        _check(archive, members)
        for name, _ in members:
            _write(target, name, zf.read(name))


def _untar(archive: Path, target: Path) -> None:
    with tarfile.open(archive, "r:gz") as tf:
        infos = [m for m in tf.getmembers() if m.isfile()]
        _check(archive, [(m.name, m.size) for m in infos])
        for info in infos:
            handle = tf.extractfile(info)
            if handle is not None:
                _write(target, info.name, handle.read())


def unpack(archive: Path, target: Path) -> list[str]:
    """Regular files of a wheel or sdist under target; names that would escape it are refused."""
    target.mkdir(parents=True)
    (_unzip if archive.suffix == ".whl" else _untar)(archive, target)
    return sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())


def _check(archive: Path, members: list[tuple[str, int]]) -> None:
    if len(members) > MAX_MEMBERS:
        raise CheckError(f"{archive.name} has more than {MAX_MEMBERS} files")
    for name, size in members:
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts:
            raise CheckError(f"{archive.name} holds a path outside the archive: {name}")
        if size > MAX_MEMBER_BYTES:
            raise CheckError(f"{archive.name}: {name} is larger than {MAX_MEMBER_BYTES} bytes")


def _write(target: Path, name: str, data: bytes) -> None:
    path = target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _label(ctx: DeploySecretsContext, artifact: Path) -> str:
    try:
        return artifact.resolve().relative_to(ctx.root.resolve()).as_posix()
    except ValueError:
        return artifact.name


def _renamed(hit: Hit, label: str) -> Hit:
    # "dist/x.whl/pkg/.env": the archive, then the member, so the finding says what ships it.
    return Hit(f"{label}/{hit.path}", hit.line, hit.kind, hit.hashed_secret)
