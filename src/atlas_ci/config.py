"""Configuration: Pydantic models (unknown keys rejected) read from atlas-ci.toml or pyproject."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, create_model

from atlas_ci import pyproject
from atlas_ci.errors import ConfigError
from atlas_ci.ops_settings import HistorySettings, NotifySettings, RetentionSettings
from atlas_ci.settings import GateSettings, Settings

CONFIG_FILE = "atlas-ci.toml"
PYPROJECT = "pyproject.toml"
ReportFormat = Literal["json", "sarif", "markdown"]


class ProjectSettings(Settings):
    paths: tuple[str, ...] | None = Field(
        default=None,
        description="What static checks look at. "
        "Default: src/ if present, else the repository's packages.",
    )
    exclude: tuple[str, ...] = ()
    python: str | None = Field(
        default=None,
        description="The project's interpreter (tests and type checks run in it). "
        "Default: the active "
        "virtualenv, else .venv/bin/python or venv/bin/python under the root, else the interpreter "
        "running atlas-ci.",
    )


class ReportSettings(Settings):
    dir: str = "reports"
    formats: tuple[ReportFormat, ...] = ("json", "sarif", "markdown")


@cache
def config_model() -> type[BaseModel]:
    """The whole config's model, built from the registry so plugins' settings are validated too."""
    from atlas_ci.gates import registry

    gate_fields: dict[str, Any] = {}
    for name, spec in registry().items():
        check_fields: dict[str, Any] = {
            c.name: (c.settings_model, Field(default_factory=c.settings_model)) for c in spec.checks
        }
        model = create_model(
            f"{name.title()}GateConfig", __base__=spec.settings_model, **check_fields
        )
        gate_fields[name] = (model, Field(default_factory=model))
    gates = create_model("GatesConfig", __base__=Settings, **gate_fields)
    root: type[BaseModel] = create_model(
        "AtlasCIConfig",
        __base__=Settings,
        project=(ProjectSettings, Field(default_factory=ProjectSettings)),
        reports=(ReportSettings, Field(default_factory=ReportSettings)),
        gates=(gates, Field(default_factory=gates)),
        history=(HistorySettings, Field(default_factory=HistorySettings)),
        retention=(RetentionSettings, Field(default_factory=RetentionSettings)),
        notify=(NotifySettings, Field(default_factory=NotifySettings)),
    )
    return root


@dataclass(frozen=True)
class LoadedConfig:
    model: BaseModel
    source: Path | None  # None: no config file, defaults only
    digest: str

    @property
    def project(self) -> ProjectSettings:
        value = self.model.project  # type: ignore[attr-defined]
        assert isinstance(value, ProjectSettings)  # noqa: S101 - the model's own field type
        return value

    @property
    def reports(self) -> ReportSettings:
        value = self.model.reports  # type: ignore[attr-defined]
        assert isinstance(value, ReportSettings)  # noqa: S101 - the model's own field type
        return value

    @property
    def history(self) -> HistorySettings:
        value = self.model.history  # type: ignore[attr-defined]
        assert isinstance(value, HistorySettings)  # noqa: S101 - the model's own field type
        return value

    @property
    def retention(self) -> RetentionSettings:
        value = self.model.retention  # type: ignore[attr-defined]
        assert isinstance(value, RetentionSettings)  # noqa: S101 - the model's own field type
        return value

    @property
    def notify(self) -> NotifySettings:
        value = self.model.notify  # type: ignore[attr-defined]
        assert isinstance(value, NotifySettings)  # noqa: S101 - the model's own field type
        return value

    def gate(self, name: str) -> GateSettings:
        value = getattr(self.model.gates, name)  # type: ignore[attr-defined]
        assert isinstance(value, GateSettings)  # noqa: S101 - the model's own field type
        return value


def find_config(root: Path) -> tuple[Path, tuple[str, ...]] | None:
    """atlas-ci.toml, else pyproject.toml with a [tool.atlas-ci] table (and that key prefix)."""
    own = root / CONFIG_FILE
    if own.is_file():
        return own, ()
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        data = _parse(pyproject)
        if isinstance(data.get("tool"), dict) and "atlas-ci" in data["tool"]:
            return pyproject, ("tool", "atlas-ci")
    return None


def load(root: Path, explicit: Path | None = None) -> LoadedConfig:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError("config file not found", file=str(explicit))
        prefix: tuple[str, ...] = ("tool", "atlas-ci") if explicit.name == PYPROJECT else ()
        source: Path | None = explicit
    else:
        found = find_config(root)
        source, prefix = found if found else (None, ())
    data: dict[str, Any] = {}
    if source is not None:
        data = _parse(source)
        for key in prefix:
            sub = data.get(key, {})
            if not isinstance(sub, dict):
                raise ConfigError(
                    "must be a table",
                    file=str(source),
                    key=".".join(prefix),
                    line=locate(source.read_text(encoding="utf-8"), list(prefix)),
                )
            data = sub
    model = validate(data, source, prefix)
    digest = hashlib.sha256(json.dumps(model.model_dump(mode="json"), sort_keys=True).encode())
    return LoadedConfig(model=model, source=source, digest=digest.hexdigest()[:16])


def validate(data: dict[str, Any], source: Path | None, prefix: tuple[str, ...] = ()) -> BaseModel:
    try:
        return config_model().model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        text = source.read_text(encoding="utf-8") if source else ""
        # For a bad value the key exists; for a bad key the last element is that key.
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        message = _describe(err) + more
        raise ConfigError(
            message,
            file=str(source) if source else "<defaults>",
            key=".".join([*prefix, *loc]),
            line=locate(text, [*prefix, *loc]),
        ) from None


def _describe(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    got = err.get("input")
    shown = f" (got {json.dumps(got)[:60]})" if isinstance(got, str | int | float | bool) else ""
    return f"{err['msg']}{shown}"


def _parse(path: Path) -> dict[str, Any]:
    try:
        return pyproject.read_toml(path)
    except pyproject.TomlError as exc:
        raise ConfigError(exc.reason, file=str(path), line=exc.line) from None


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)


def _split_key(raw: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", raw)]


def locate(text: str, key: list[str]) -> int | None:
    """The line defining the longest prefix of a dotted key (tomllib keeps no positions)."""
    best: tuple[int, int] | None = None  # (matched length, line)
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        kv = None if header else _KEY.match(line)
        if header:
            table = _split_key(header.group(1))
            full = table
        elif kv:
            full = [*table, *_split_key(kv.group(1))]
        else:
            continue
        matched = _common_prefix(full, key)
        if matched and matched == len(full) and (best is None or matched > best[0]):
            best = (matched, number)
    return best[1] if best else None


def _common_prefix(a: list[str], b: list[str]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def default_paths(root: Path) -> tuple[str, ...]:
    """src/ if present, else the top-level packages and modules of the repository."""
    if (root / "src").is_dir():
        return ("src",)
    found = sorted(
        p.name
        for p in root.iterdir()
        if not p.name.startswith(".")
        and p.name not in {"tests", "test", "docs", "build", "dist", "venv", "reports"}
        and ((p.is_dir() and (p / "__init__.py").is_file()) or (p.is_file() and p.suffix == ".py"))
    )
    return tuple(found) or (".",)


def project_python(root: Path, configured: str | None) -> str:
    """The project's interpreter: config, then the active virtualenv, then .venv/venv, then ours."""
    from atlas_ci import interpreter

    return interpreter.resolve(root, configured)


def json_schema() -> dict[str, Any]:
    return config_model().model_json_schema()


def project_info(config: LoadedConfig, root: Path, report_dir: Path, base_ref: str | None = None):  # type: ignore[no-untyped-def]
    """What checks see of the project, with defaults resolved against the repository."""
    from atlas_ci.checks.base import ProjectInfo

    p = config.project
    return ProjectInfo(
        root=root,
        paths=p.paths or default_paths(root),
        exclude=p.exclude,
        python=project_python(root, p.python),
        report_dir=report_dir,
        base_ref=base_ref,
    )
