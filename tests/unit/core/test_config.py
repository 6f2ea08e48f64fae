"""Config loading: defaults, both file locations, and errors that name file, key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ci import config
from atlas_ci.errors import ConfigError


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    cfg = config.load(tmp_path)
    assert cfg.source is None
    assert cfg.reports.dir == "reports"
    assert cfg.gate("quality").enabled


def test_atlas_ci_toml_is_read(tmp_path: Path) -> None:
    (tmp_path / "atlas-ci.toml").write_text(
        '[reports]\ndir = "out"\n[gates.quality.lint]\ntimeout = 5\n'
    )
    cfg = config.load(tmp_path)
    assert cfg.reports.dir == "out"
    assert cfg.gate("quality").lint.timeout == 5  # type: ignore[attr-defined]


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.atlas-ci.reports]\ndir = "r2"\n'
    )
    cfg = config.load(tmp_path)
    assert cfg.source == tmp_path / "pyproject.toml"
    assert cfg.reports.dir == "r2"


def test_pyproject_without_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert config.load(tmp_path).source is None


@pytest.mark.parametrize(
    ("text", "key", "line", "words"),
    [
        (
            '[project]\npaths = ["src"]\n\n[gates.quality.lint]\nenabled = true\ntimeot = 5\n',
            "gates.quality.lint.timeot",
            6,
            "unknown key",
        ),
        ('[gates.quality.lint]\ntimeout = "soon"\n', "gates.quality.lint.timeout", 2, "number"),
        ('[gates.quality]\nenabled = "maybe"\n', "gates.quality.enabled", 2, "boolean"),
        ("[gates.nosuchgate]\nenabled = true\n", "gates.nosuchgate", 1, "unknown key"),
        ('[reports]\nformats = ["json", "pdf"]\n', "reports.formats.1", 2, "json"),
        ("[gates.quality.lint]\ncommand = []\n", "gates.quality.lint.command", 2, "at least 1"),
    ],
)
def test_invalid_config_names_file_key_and_line(
    tmp_path: Path, text: str, key: str, line: int, words: str
) -> None:
    (tmp_path / "atlas-ci.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    err = info.value
    assert err.file == str(tmp_path / "atlas-ci.toml")
    assert err.key == key
    assert err.line == line
    assert words in str(err)


def test_key_in_pyproject_is_prefixed_and_located(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.atlas-ci.gates.quality]\nbogus = 1\n'
    )
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    assert info.value.key == "tool.atlas-ci.gates.quality.bogus"
    assert info.value.line == 5


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "atlas-ci.toml").write_text('[reports]\ndir = "a"\n[gates.quality.lint\n')
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    assert info.value.line == 3
    assert "malformed TOML" in str(info.value)


def test_missing_explicit_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path, tmp_path / "missing.toml")


def test_locate_handles_dotted_keys_and_inline_headers() -> None:
    text = "[gates]\nquality.lint.timeout = 3\n[gates.security]\n  enabled = false # x\n"
    assert config.locate(text, ["gates", "quality", "lint", "timeout"]) == 2
    assert config.locate(text, ["gates", "security", "enabled"]) == 4
    assert config.locate(text, ["gates", "security", "nope"]) == 3


def test_default_paths_prefers_src(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tool.py").write_text("")
    assert config.default_paths(tmp_path) == ("pkg", "tool.py")
    (tmp_path / "src").mkdir()
    assert config.default_paths(tmp_path) == ("src",)


def test_schema_describes_every_gate() -> None:
    schema = config.json_schema()
    gates = schema["$defs"]["GatesConfig"]["properties"]
    assert {"security", "tests", "quality", "perf", "reliability", "deploy"} <= set(gates)
    assert schema["additionalProperties"] is False


def test_digest_changes_with_config(tmp_path: Path) -> None:
    first = config.load(tmp_path).digest
    (tmp_path / "atlas-ci.toml").write_text("[gates.quality.lint]\ntimeout = 7\n")
    assert config.load(tmp_path).digest != first


def test_readme_config_example_is_valid(tmp_path: Path) -> None:
    """The config reference users copy from must itself pass validation."""
    import re

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    match = re.search(r"```toml\n(\[project\].*?)```", readme, re.S)
    assert match, "README has no config example"
    (tmp_path / "atlas-ci.toml").write_text(match.group(1))
    cfg = config.load(tmp_path)
    assert cfg.gate("security").fail_on == "medium"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "table", ["[gates.deploy]\nnonsense = 1\n", "[gates.qualty]\n", "[gates.quality.lint]\nx = 1\n"]
)
def test_a_one_gate_run_still_rejects_an_error_in_any_table(tmp_path: Path, table: str) -> None:
    (tmp_path / "atlas-ci.toml").write_text(table)
    with pytest.raises(ConfigError):
        config.load(tmp_path, None, frozenset({"quality"}))


def test_a_one_gate_run_sees_the_same_settings_and_digest(tmp_path: Path) -> None:
    (tmp_path / "atlas-ci.toml").write_text("[gates.deploy]\nenabled = false\n")
    whole = config.load(tmp_path)
    one = config.load(tmp_path, None, frozenset({"quality"}))
    assert one.digest == whole.digest
    for gate in ("quality", "deploy", "perf"):  # perf: not loaded by the run, its defaults
        assert one.gate(gate).model_dump() == whole.gate(gate).model_dump(), gate
    assert one.gate("deploy").enabled is False
