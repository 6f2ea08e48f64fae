"""Configuration: Pydantic models (unknown keys rejected) read from atlas-ci.toml or pyproject."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, create_model

from atlas_ci import __version__, config_errors, pyproject
from atlas_ci.errors import ConfigError
from atlas_ci.ops_settings import (
    BaselineSettings,
    HistorySettings,
    NotifySettings,
    RetentionSettings,
)
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


def config_model(gates: frozenset[str] | None = None) -> type[BaseModel]:
    """The config's model, built from the registry so plugins' settings are validated too.

    `gates` limits the gate tables validated to those (None: every gate): a run of one gate
    then imports only that gate's checks. A table of another gate is rejected as unknown, so the
    loader passes every gate the file configures (`gates_to_validate`).
    """
    from atlas_ci import gates as registry

    names = (
        registry.gate_names()
        if gates is None
        else tuple(n for n in registry.gate_names() if n in gates)
    )
    return _model(names)


@cache
def _model(names: tuple[str, ...]) -> type[BaseModel]:
    from atlas_ci.gates import registry

    gate_fields: dict[str, Any] = {}
    for name, spec in registry(names).items():
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
        baseline=(BaselineSettings, Field(default_factory=BaselineSettings)),
        retention=(RetentionSettings, Field(default_factory=RetentionSettings)),
        notify=(NotifySettings, Field(default_factory=NotifySettings)),
    )
    return root


T = TypeVar("T", bound=Settings)


@dataclass(frozen=True)
class LoadedConfig:
    model: BaseModel
    source: Path | None  # None: no config file, defaults only
    digest: str
    # The gates the model validated (None: every gate); see `config_model`.
    gates: frozenset[str] | None = None

    def _section(self, name: str, kind: type[T]) -> T:
        """A top-level table of the validated model, as its own settings type."""
        value = getattr(self.model, name)
        if not isinstance(value, kind):  # the model is built with exactly this field type
            raise TypeError(f"config section {name!r} is {type(value).__name__}")
        return value

    @property
    def project(self) -> ProjectSettings:
        return self._section("project", ProjectSettings)

    @property
    def reports(self) -> ReportSettings:
        return self._section("reports", ReportSettings)

    @property
    def history(self) -> HistorySettings:
        return self._section("history", HistorySettings)

    @property
    def baseline(self) -> BaselineSettings:
        return self._section("baseline", BaselineSettings)

    @property
    def retention(self) -> RetentionSettings:
        return self._section("retention", RetentionSettings)

    @property
    def notify(self) -> NotifySettings:
        return self._section("notify", NotifySettings)

    def gate(self, name: str) -> GateSettings:
        section = self.model.gates  # type: ignore[attr-defined]
        if name not in type(section).model_fields:
            # A gate the file does not configure and the run did not load: its defaults.
            section = _model((name,)).model_validate({}).gates  # type: ignore[attr-defined]
        value = getattr(section, name)
        assert isinstance(value, GateSettings)  # noqa: S101 - the model's own field type
        return value


def find_root(start: Path) -> Path:
    """The project root, found as ruff, pytest and mypy find theirs: the nearest ancestor of
    `start` holding atlas-ci.toml or a pyproject.toml with [tool.atlas-ci], else the git top
    level, else `start` itself."""
    here = start.resolve()
    candidates = (here, *here.parents)
    for directory in candidates:
        if (directory / CONFIG_FILE).is_file() or _declares_table(directory / PYPROJECT):
            return directory
    for directory in candidates:
        if (directory / ".git").exists():
            return directory
    return here


def _declares_table(path: Path) -> bool:
    """A pyproject.toml with [tool.atlas-ci] (or a misspelling the loader will point out)."""
    if not path.is_file():
        return False
    try:
        data = pyproject.read_toml(path)
    except pyproject.TomlError:
        # Broken, but meant for us: it is the root, and loading it reports the error's line.
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return bool(_TABLE_HEADER.search(path.read_text(encoding="utf-8")))
        return False
    return any(pyproject.tool_table(data, name) is not None for name in (TABLE, *TABLE_SPELLINGS))


_TABLE_HEADER = re.compile(r"^\s*\[+\s*tool\.atlas[-_]?ci\b", re.MULTILINE | re.IGNORECASE)
TABLE = "atlas-ci"
# Spellings of the table that are not read but most likely meant it.
TABLE_SPELLINGS = ("atlas_ci", "atlasci", "atlas-CI", "atlas_CI")


def find_config(root: Path) -> tuple[Path, tuple[str, ...]] | None:
    """atlas-ci.toml, else pyproject.toml with a [tool.atlas-ci] table (and that key prefix)."""
    own = root / CONFIG_FILE
    if own.is_file():
        return own, ()
    candidate = root / PYPROJECT
    if candidate.is_file():
        data = _parse(candidate)
        tool = data.get("tool")
        if isinstance(tool, dict) and TABLE in tool:
            return candidate, ("tool", TABLE)
        _refuse_misspelled_table(data, candidate)
    return None


def _refuse_misspelled_table(data: dict[str, Any], path: Path) -> None:
    tool = data.get("tool")
    if not isinstance(tool, dict) or TABLE in tool:
        return
    for spelling in TABLE_SPELLINGS:
        if spelling in tool:
            raise ConfigError(
                f"[tool.{spelling}] is not read: did you mean [tool.{TABLE}]?",
                file=str(path),
                key=f"tool.{spelling}",
                line=locate(path.read_text(encoding="utf-8"), ["tool", spelling]),
            )


def load(
    root: Path, explicit: Path | None = None, gates: frozenset[str] | None = None
) -> LoadedConfig:
    """The validated config; `gates` (None: all) are the gates the caller will run."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError("config file not found", file=str(explicit))
        prefix: tuple[str, ...] = ("tool", TABLE) if explicit.name == PYPROJECT else ()
        source: Path | None = explicit
    else:
        found = find_config(root)
        source, prefix = found if found else (None, ())
    data: dict[str, Any] = {}
    if source is not None:
        data = _parse(source)
        if prefix:
            _refuse_misspelled_table(data, source)
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
    wanted = gates_to_validate(data, gates)
    model = validate(data, source, prefix, wanted)
    # The config as written, under this atlas-ci version: the same whichever gates a run loads.
    written = json.dumps({"atlas-ci": __version__, "config": data}, sort_keys=True, default=str)
    digest = hashlib.sha256(written.encode()).hexdigest()[:16]
    return LoadedConfig(model=model, source=source, digest=digest, gates=wanted)


def gates_to_validate(data: dict[str, Any], run: frozenset[str] | None) -> frozenset[str] | None:
    """The gates a run uses plus every gate table the file holds (an error in any is fatal)."""
    if run is None:
        return None
    tables = data.get("gates")
    return run | frozenset(tables if isinstance(tables, dict) else ())


def with_overrides(cfg: LoadedConfig, overrides: tuple[tuple[str, object], ...]) -> LoadedConfig:
    """The config with dotted keys set (command-line options win), validated again."""
    if not overrides:
        return cfg
    data = cfg.model.model_dump(mode="json")
    for key, value in overrides:
        node = data
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    model = validate(data, None, (), cfg.gates)
    return LoadedConfig(model=model, source=cfg.source, digest=cfg.digest, gates=cfg.gates)


def validate(
    data: dict[str, Any],
    source: Path | None,
    prefix: tuple[str, ...] = (),
    gates: frozenset[str] | None = None,
) -> BaseModel:
    shown = str(source) if source else "<defaults>"
    try:
        return config_model(gates).model_validate(data)
    except ValidationError:
        pass
    # The message comes from the whole model (every gate's keys known for its suggestions).
    model = config_model()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        text = source.read_text(encoding="utf-8") if source else ""
        loc, message = config_errors.describe(exc.errors(), data, model)
        key = [*prefix, *loc]
        # A key tomllib accepted but no line defines (the whole file's table): the first line.
        line = locate(text, key) or (None if key else 1)
        raise ConfigError(message, file=shown, key=".".join(key) or None, line=line) from None
    except RecursionError:
        # A structure nested deeper than validation can recurse: no input becomes a traceback.
        raise ConfigError("a value is nested too deeply", file=shown, line=1) from None


def _parse(path: Path) -> dict[str, Any]:
    try:
        return pyproject.read_toml(path)
    except pyproject.TomlError as exc:
        # The one TOML reader names the line for deep nesting and over-long integers too.
        raise ConfigError(exc.reason, file=str(path), line=exc.line or 1) from None


def locate(text: str, key: list[str]) -> int | None:
    """The line defining the longest prefix of a dotted key (tomllib keeps no positions)."""
    return config_errors.locate(text, key)


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
        paths_configured=bool(p.paths),
        exclude=p.exclude,
        python=project_python(root, p.python),
        report_dir=report_dir,
        base_ref=base_ref,
    )
