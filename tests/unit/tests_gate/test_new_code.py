"""New lines from `git diff --unified=0` and how much of them tests executed."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ci.checks.testsuite import diff, new_code

pytestmark = pytest.mark.unit

# Recorded from git 2.x: `git diff --unified=0 ... HEAD --` after changing m.py, deleting gone.py,
# adding n.py and appending to "sp ace.py" (git ends a name with spaces with a tab).
RECORDED_DIFF = """\
diff --git a/gone.py b/gone.py
deleted file mode 100644
index b77b4eb..0000000
--- a/gone.py
+++ /dev/null
@@ -1,2 +0,0 @@
-x
-y
diff --git a/m.py b/m.py
index 9405325..6dcb1d1 100644
--- a/m.py
+++ b/m.py
@@ -2 +2 @@ a
-b
+B
@@ -4 +3,0 @@ c
-d
@@ -5,0 +5,2 @@ e
+f
+g
diff --git a/n.py b/n.py
new file mode 100644
index 0000000..07f33c4
--- /dev/null
+++ b/n.py
@@ -0,0 +1,2 @@
+new
+file
diff --git a/sp ace.py b/sp ace.py
index b68fde2..ab8f396 100644
--- a/sp ace.py\t
+++ b/sp ace.py\t
@@ -1,0 +2 @@ k
+l
"""


def test_added_and_changed_lines_per_file():
    assert diff.parse(RECORDED_DIFF) == {"m.py": {2, 5, 6}, "n.py": {1, 2}, "sp ace.py": {2}}


def test_hunk_content_that_looks_like_a_header_is_content():
    text = (
        "--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n--- a/fake.py\n"
        "\\ No newline at end of file\n-old\n+++ b/fake.py\n+new\n"
    )
    assert diff.parse(text) == {"x.py": {1, 2}}


def _report(**files: tuple[list[int], list[int]]) -> dict[str, object]:
    return {
        "files": {
            name: {"executed_lines": ex, "missing_lines": miss}
            for name, (ex, miss) in files.items()
        }
    }


def test_new_code_counts_only_executable_new_lines(tmp_path: Path):
    report = _report(**{"pkg/a.py": ([1, 2, 3, 10], [4, 5, 7, 12]), "pkg/b.py": ([1], [2])})
    new = {"pkg/a.py": {3, 4, 5, 6, 7, 8, 20}, "docs/x.md": {1}}
    measured = new_code.measure(report, new, tmp_path)
    # executable new lines in a.py: 3 (run), 4, 5, 7 (missed); 6, 8 and 20 are not statements.
    assert (measured.covered, measured.total) == (1, 4)
    assert measured.percent == 25.0
    # 6 is not a statement, so 4-7 is one uncovered run.
    assert measured.uncovered == (new_code.Uncovered("pkg/a.py", 4, 7),)


def test_ranges_split_at_covered_or_old_statements(tmp_path: Path):
    report = _report(**{"a.py": ([3], [1, 2, 4, 5, 6])})
    measured = new_code.measure(report, {"a.py": {1, 2, 3, 4, 6}}, tmp_path)
    assert [(u.start, u.end) for u in measured.uncovered] == [(1, 2), (4, 4), (6, 6)]
    assert [u.count_text for u in measured.uncovered] == ["lines 1-2", "line 4", "line 6"]


def test_no_new_statements_means_no_percentage(tmp_path: Path):
    measured = new_code.measure(_report(**{"a.py": ([1], [2])}), {"a.py": {9}}, tmp_path)
    assert measured.percent is None
    assert measured.uncovered == ()


def test_absolute_paths_in_the_report_are_made_relative(tmp_path: Path):
    report = _report(**{str(tmp_path / "src" / "m.py"): ([], [3])})
    measured = new_code.measure(report, {"src/m.py": {3}}, tmp_path)
    assert measured.uncovered == (new_code.Uncovered("src/m.py", 3, 3),)
