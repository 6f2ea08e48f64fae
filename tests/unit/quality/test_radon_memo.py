"""radon_pass's per-file memo: unchanged content is not measured again; no number changes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from atlas_ci import file_memo
from atlas_ci.checks.quality import radon_memo, radon_pass

CODE = "def f(a):\n    if a:\n        return 1\n    return 2 if a > 3 else a or 4\n"


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    src = tmp_path / "src"
    src.mkdir()
    names = []
    for i in range(4):
        path = src / f"m{i}.py"
        path.write_text(CODE.replace("f(", f"f{i}(") + "# " * i + "\n")
        names.append(str(path))
    (src / "broken.py").write_text("def g(:\n")
    return [*names, str(src / "broken.py")]


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files radon_pass really measures (parses and walks)."""
    seen: list[str] = []
    real = radon_pass.measure

    def counting(name: str, multi: bool = True) -> radon_pass.Measured:
        seen.append(Path(name).name)
        return real(name, multi)

    monkeypatch.setattr(radon_pass, "measure", counting)
    return seen


def test_unchanged_files_come_from_the_memo_with_the_same_numbers(
    tmp_path: Path, files: list[str], measured: list[str]
) -> None:
    fresh = radon_pass.report(files, workers=1)
    memo = radon_memo.Memo(tmp_path / "memo", multi=True)
    assert radon_pass.report(files, workers=1, memo=memo) == fresh
    assert len(measured) == 2 * len(files)
    measured.clear()
    assert radon_pass.report(files, workers=1, memo=memo) == fresh
    # The broken file's error is not remembered (errors may be the environment's); the rest is.
    assert measured == ["broken.py"]


def test_an_edited_file_alone_is_measured_again(
    tmp_path: Path, files: list[str], measured: list[str]
) -> None:
    memo = radon_memo.Memo(tmp_path / "memo", multi=True)
    radon_pass.report(files, workers=1, memo=memo)
    Path(files[1]).write_text(CODE.replace("return 1", "return [x for x in a if x]"))
    measured.clear()
    out = radon_pass.report(files, workers=1, memo=memo)
    assert measured == ["m1.py", "broken.py"]
    assert out == radon_pass.report(files, workers=1)


def test_an_unreadable_entry_is_a_miss(
    tmp_path: Path, files: list[str], measured: list[str]
) -> None:
    memo = radon_memo.Memo(tmp_path / "memo", multi=True)
    fresh = radon_pass.report(files, workers=1, memo=memo)
    entries = sorted(memo.folder.glob("*.json"))
    assert len(entries) == 4
    entries[0].write_text("{not json")
    entries[1].write_text('{"cc": "wrong shape"}')
    measured.clear()
    assert radon_pass.report(files, workers=1, memo=memo) == fresh
    assert len(measured) == 3  # the two bad entries' files and the broken one


def test_the_namespace_names_what_the_numbers_depend_on(tmp_path: Path, files: list[str]) -> None:
    assert radon_memo.namespace(True) != radon_memo.namespace(False)
    multi = radon_memo.Memo(tmp_path / "memo", multi=True)
    radon_pass.report(files, workers=1, memo=multi)
    single = radon_memo.Memo(tmp_path / "memo", multi=False)
    radon_pass.report(files, workers=1, memo=single)
    # A new namespace replaces the old ones: the directory never grows across versions.
    assert [p.name for p in (tmp_path / "memo").iterdir()] == [single.folder.name]


def test_the_memo_is_bounded(
    tmp_path: Path, files: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_memo, "MAX_ENTRIES", 2)
    memo = radon_memo.Memo(tmp_path / "memo", multi=True)
    radon_pass.report(files, workers=1, memo=memo)
    assert len(list(memo.folder.iterdir())) == 2


def test_the_command_takes_the_memo_directory(tmp_path: Path, files: list[str]) -> None:
    memo = str(tmp_path / "memo")
    res = subprocess.run(
        [sys.executable, "-m", radon_pass.__name__, "--memo", memo, str(Path(files[0]).parent)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    printed = json.loads(res.stdout)
    assert set(printed["mi"]) == set(files)
    assert len(list((tmp_path / "memo").glob("*/*.json"))) == 4
