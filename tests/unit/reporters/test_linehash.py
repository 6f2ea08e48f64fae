"""linehash: GitHub's primaryLocationLineHash, checked against codeql-action's own test vectors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas_ci.linehash import file_line_hashes, line_hashes

pytestmark = pytest.mark.unit

EMPTY = "c129715d7a2bc9a3:1"
GREETINGS = [
    "e9496ae3ebfced30:1",
    "fb7c023a8b9ccb3f:1",
    "ce8ba1a563dcdaca:1",
    "e20e36e16fcb0cc8:1",
    "b3edc88f2938467e:1",
    "c8e28b0b4002a3a0:1",
    EMPTY,
]

# Ported from github/codeql-action src/fingerprints.test.ts ("hash" test).
CODEQL_ACTION_VECTORS = [
    ("", [EMPTY]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", GREETINGS),
    (" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", GREETINGS),
    (" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", GREETINGS),
    (" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", GREETINGS),
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [
            *(f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)),
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            EMPTY,
        ],
    ),
    (
        "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
        [
            "e54938cc54b302f1:1",
            "bb609acbe9138d60:1",
            "1131fd5871777f34:1",
            "5c482a0f8b35ea28:1",
            "54517377da7028d2:1",
            "2c644846cb18d53e:1",
            "f1b89f20de0d133:1",
            EMPTY,
        ],
    ),
]

# Recorded by running a line-for-line JavaScript transcription of the action's hash() under node
# (BigInt wrapped to 64 bits standing in for Long): characters outside ASCII, including a kept
# byte-order mark and astral characters that JavaScript sees as two UTF-16 code units.
NON_ASCII_VECTORS = [
    ("héllo wörld\n\ufeffbom\n", ["60ef9e72eb5ccd53:1", "3f85594aa837da86:1", EMPTY]),
    (
        "emoji \U0001f600 here\n\U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521"
        "\U0001d522\r\nx",
        ["2846bdf20bc12197:1", "95bb85f7e8f91f34:1", "638816509450efbf:1"],
    ),
    ("\ufeffimport os\n", ["5aa1a8e55c93c499:1", EMPTY]),
    ("\uffff\n", ["bbdfd1c793e0db78:1", EMPTY]),
    (
        "\r\r\n\n\r",
        [
            "8d2f5848087196b:1",
            "4e5d562094661a0d:1",
            "5b5d4caf73a13177:1",
            "3c5bef55b72b93c9:1",
            EMPTY,
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CODEQL_ACTION_VECTORS + NON_ASCII_VECTORS)
def test_hashes_match_the_codeql_action(text: str, expected: list[str]) -> None:
    hashes = line_hashes(text)
    assert hashes == {i + 1: h for i, h in enumerate(expected)}
    # One hash per line, as the action's own test counts them.
    assert len(hashes) == len(re.split(r"\r\n|\r|\n", text))


def test_only_the_first_hundred_non_blank_characters_of_a_line_count() -> None:
    same_prefix = line_hashes("a" * 100 + "X\n")[1], line_hashes("a" * 100 + "Y\n")[1]
    assert same_prefix[0] == same_prefix[1]
    assert line_hashes("a" * 99 + "X\n")[1] != line_hashes("a" * 99 + "Y\n")[1]


def test_spaces_and_tabs_do_not_change_a_line_hash() -> None:
    assert line_hashes("x = 1\n")[1] == line_hashes("x=1\n")[1] == line_hashes("\tx  =1\n")[1]


def test_file_is_decoded_like_node_buffer_to_string(tmp_path: Path) -> None:
    # BOM kept, invalid UTF-8 replaced by U+FFFD: recorded with the node transcription, reading
    # the same bytes through fs.readFileSync(path).toString().
    path = tmp_path / "mixed.txt"
    path.write_bytes(
        b"\xef\xbb\xbfok\n\xff\xfe bad \xc3\x28 \xe2\x82\n\xf0\x9f\x98\x80 end\n\xed\xa0\x80x\n"
    )
    assert file_line_hashes(path) == {
        1: "c34cef8e2430566a:1",
        2: "37755a8a7e4bd8bf:1",
        3: "49904b33065e809e:1",
        4: "7c18a3ef917f6040:1",
        5: EMPTY,
    }


def test_unreadable_inputs_give_none(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("x" * 50)
    assert file_line_hashes(tmp_path / "missing.py") is None
    assert file_line_hashes(tmp_path) is None
    assert file_line_hashes(big, max_bytes=10) is None
    assert file_line_hashes(big, max_bytes=50) == line_hashes("x" * 50)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x\n" * 5,
        "a" * 100 + "\n" + "b" * 100,
        "é\r\n\tb\r c\n" * 40,
        "\U0001f600" * 120 + "\nq\n",
        (Path(__file__).read_text(encoding="utf-8")),
    ],
)
def test_hashing_up_to_a_line_gives_those_lines_exactly(text: str) -> None:
    full = line_hashes(text)
    for upto in sorted({1, 2, 3, 99, 100, 101, len(full) // 2 or 1, len(full), len(full) + 3}):
        assert line_hashes(text, upto) == {k: v for k, v in full.items() if k <= upto}, upto
