"""Line hashes remembered by file content: the same values, read back instead of recomputed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas_ci import linehash, linehash_memo

TEXT = "".join(f"line {i}\n" for i in range(40))


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The `upto` of every real computation of a file's hashes."""
    seen: list[int | None] = []
    real = linehash.line_hashes

    def counting(text: str, upto: int | None = None) -> dict[int, str]:
        seen.append(upto)
        return real(text, upto)

    monkeypatch.setattr(linehash, "line_hashes", counting)
    return seen


def test_hashes_are_remembered_and_read_back(tmp_path: Path, computed: list[int | None]) -> None:
    src = tmp_path / "a.py"
    src.write_text(TEXT)
    want = linehash.file_line_hashes(src, upto=30)
    computed.clear()
    memo = linehash_memo.HashMemo(tmp_path)
    assert memo.hashes(src, 30) == want
    memo.save()
    again = linehash_memo.HashMemo(tmp_path)
    assert again.hashes(src, 30) == want
    assert again.hashes(src, 12) == {k: v for k, v in want.items() if k <= 12}
    assert computed == [30]  # once; the shorter request is the remembered one, cut
    assert again.hashes(src, 35) == linehash.file_line_hashes(src, upto=35)
    assert computed[1] == 35  # past what was remembered: computed again


def test_an_edited_file_is_hashed_again(tmp_path: Path, computed: list[int | None]) -> None:
    src = tmp_path / "a.py"
    src.write_text(TEXT)
    memo = linehash_memo.HashMemo(tmp_path)
    memo.hashes(src, 10)
    memo.save()
    src.write_text("x = 1\n" + TEXT)
    assert memo.hashes(src, 10) == linehash.file_line_hashes(src, upto=10)
    assert len([c for c in computed if c == 10]) >= 2


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    src = tmp_path / "a.py"
    src.write_text(TEXT)
    memo = linehash_memo.HashMemo(tmp_path)
    memo.hashes(src, 10)
    memo.save()
    (entry,) = (tmp_path / linehash_memo.DIRECTORY).glob("*/*.json")
    entry.write_text(json.dumps({"upto": 10, "hashes": {"one": "x:1"}}))
    assert linehash_memo.HashMemo(tmp_path).hashes(src, 10) == linehash.file_line_hashes(
        src, upto=10
    )
    entry.write_text("[1, 2")
    assert linehash_memo.HashMemo(tmp_path).hashes(src, 3) == linehash.file_line_hashes(src, upto=3)


def test_unreadable_files_have_no_hashes(tmp_path: Path) -> None:
    memo = linehash_memo.HashMemo(tmp_path)
    assert memo.hashes(tmp_path / "missing.py", 3) is None
    assert memo.hashes(tmp_path, 3) is None
