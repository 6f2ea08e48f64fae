"""A generated, deterministic Python project for the speed benchmark: typed modules that give
mypy real work (cross-module imports, classes, generics) and one 4k-line data-literal module."""

from __future__ import annotations

from pathlib import Path

PYPROJECT = """[project]
name = "bigproject"
version = "0"

[tool.mypy]
files = ["src"]
strict = true

[tool.ruff]
line-length = 100
"""


def _module(index: int, functions: int) -> str:
    prev = [f"from bigproject.mod{index - 1:03d} import Record{index - 1:03d}", ""] if index else []
    lines = [
        f'"""Generated module {index}."""',
        "",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass",
        "",
        *prev,
        "",
        "@dataclass(frozen=True)",
        f"class Record{index:03d}:",
        "    name: str",
        "    size: int",
        "    tags: tuple[str, ...] = ()",
        "",
        "    def weight(self) -> float:",
        "        return self.size * 1.5 + len(self.tags)",
        "",
    ]
    for n in range(functions):
        lines += [
            "",
            f"def compute_{n}(items: list[Record{index:03d}], limit: int) -> dict[str, int]:",
            '    """Sum sizes by name up to a limit."""',
            "    out: dict[str, int] = {}",
            "    for item in items:",
            "        if item.size > limit:",
            "            continue",
            "        elif item.name in out:",
            "            out[item.name] += item.size",
            "        else:",
            f"            out[item.name] = item.size + {n}",
            "    return out",
            "",
        ]
    if index:
        lines += [
            "",
            f"def convert(prev: Record{index - 1:03d}) -> Record{index:03d}:",
            f"    return Record{index:03d}(prev.name, prev.size, prev.tags)",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _data_module(rows: int) -> str:
    lines = ['"""Generated data literal."""', "", "TABLE: list[dict[str, object]] = ["]
    lines += [
        f'    {{"id": {i}, "name": "item-{i:05d}", "value": {i * 7 % 1000}, "ok": {i % 2 == 0}}},'
        for i in range(rows)
    ]
    lines += ["]", ""]
    return "\n".join(lines)


def generate(root: Path, *, modules: int = 75, functions: int = 30, data_rows: int = 4000) -> int:
    """Write the project under root; returns its number of Python lines."""
    pkg = root / "src" / "bigproject"
    pkg.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (pkg / "__init__.py").write_text('"""Generated package."""\n')
    (pkg / "py.typed").write_text("")
    for i in range(modules):
        (pkg / f"mod{i:03d}.py").write_text(_module(i, functions))
    (pkg / "data.py").write_text(_data_module(data_rows))
    return sum(len(p.read_text().splitlines()) for p in pkg.glob("*.py"))
