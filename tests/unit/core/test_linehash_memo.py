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
    want = linehash.file_line_hashes(src)
    assert want is not None
    computed.clear()
    memo = linehash_memo.HashMemo(tmp_path)
    assert memo.hashes(src, 30) == {k: v for k, v in want.items() if k <= 30}
    memo.save()
    again = linehash_memo.HashMemo(tmp_path)
    for upto in (30, 12, 35, 41):
        assert again.hashes(src, upto) == {k: v for k, v in want.items() if k <= upto}
    # Once, the whole file: every later request, shorter or longer, is the remembered one, cut.
    assert computed == [None]


def test_an_edited_file_is_hashed_again(tmp_path: Path, computed: list[int | None]) -> None:
    src = tmp_path / "a.py"
    src.write_text(TEXT)
    memo = linehash_memo.HashMemo(tmp_path)
    memo.hashes(src, 10)
    memo.save()
    src.write_text("x = 1\n" + TEXT)
    assert memo.hashes(src, 10) == linehash.file_line_hashes(src, upto=10)
    assert computed.count(None) == 2


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
    entry.write_text(json.dumps([1, 2, 3]))  # the right shape, the wrong values
    assert linehash_memo.HashMemo(tmp_path).hashes(src, 3) == linehash.file_line_hashes(src, upto=3)


def test_unreadable_files_have_no_hashes(tmp_path: Path) -> None:
    memo = linehash_memo.HashMemo(tmp_path)
    assert memo.hashes(tmp_path / "missing.py", 3) is None
    assert memo.hashes(tmp_path, 3) is None


def test_an_entry_is_read_once_per_run_whichever_checks_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[int | None]
) -> None:
    src = tmp_path / "a.py"
    src.write_text(TEXT)
    first = linehash_memo.HashMemo(tmp_path)
    first.hashes(src, 30)
    first.save()
    reads: list[str] = []
    real_get = linehash_memo.file_memo.Memo.get

    def counting(self: linehash_memo.file_memo.Memo, digest: str) -> object:
        reads.append(digest)
        return real_get(self, digest)

    monkeypatch.setattr(linehash_memo.file_memo.Memo, "get", counting)
    run = linehash_memo.HashMemo(tmp_path)
    computed.clear()
    want = linehash.file_line_hashes(src, upto=30)
    assert want is not None
    for upto in (30, 5, 17):  # three checks with findings in the file
        got = run.hashes(src, upto)
        assert got == {k: v for k, v in want.items() if k <= upto}
    assert len(reads) == 1
    assert computed == [30]  # the `want` above only: nothing hashed again


def test_the_lines_mapping_reads_only_its_range() -> None:
    lines = linehash_memo.Lines(["a:1", None, "c:1", "d:1"], 3)
    assert dict(lines) == {1: "a:1", 3: "c:1"}
    assert len(lines) == 2
    assert lines.get(2) is None
    assert lines.get(4) is None  # past `upto`
    assert lines.get(0) is None
    assert dict(linehash_memo.Lines(["a:1"], None)) == {1: "a:1"}


def test_checks_asking_at_once_share_one_computation(
    tmp_path: Path, computed: list[int | None]
) -> None:
    import threading

    src = tmp_path / "a.py"
    src.write_text(TEXT * 50)
    memo = linehash_memo.HashMemo(tmp_path)
    start = threading.Barrier(4)
    got: list[object] = []

    def ask(upto: int) -> None:
        start.wait()
        got.append(memo.hashes(src, upto))

    threads = [threading.Thread(target=ask, args=(n,)) for n in (5, 500, 1000, 2000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert computed == [None]
    assert len(got) == 4
