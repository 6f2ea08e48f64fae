"""Files for the MI process-pool tests: `count` modules of growing size plus one that does not
parse, inserted at index 3 (so a pool that reorders or drops it shows)."""

from __future__ import annotations

from pathlib import Path


def pool_modules(root: Path, count: int) -> list[str]:
    names = []
    for i in range(count):
        path = root / f"m{i:02d}.py"
        body = "".join(f"def f{j}(x):\n    return x if x > {j} else -x\n\n" for j in range(i))
        path.write_text(body or "X = 1\n")
        names.append(str(path))
    (root / "broken.py").write_text("def (:\n")
    names.insert(3, str(root / "broken.py"))
    return names
