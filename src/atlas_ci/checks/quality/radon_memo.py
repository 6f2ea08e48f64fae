"""radon_pass's per-file memo: a file whose content was measured before is not parsed again.

Why: like ruff's and mypy's own caches, this is the tool's cache, not atlas-ci's result cache.
The result cache serves a whole check when no input changed; after an edit every quality check
runs again, and without this the complexity pass would parse and walk every unchanged file too
(the most expensive step of the quality gate on a large tree).

An entry is what radon_pass computed for one file: its `radon cc` and `radon mi` entries, keyed
by the SHA-256 of the file's bytes (file_memo.py), under a namespace naming everything else they
depend on: `radon mi`'s multi-line-string option, the Python version that parsed it, radon's
version, and the source of the modules that compute the numbers.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

from atlas_ci import file_memo

_RULES = ("fast_cc.py", "fast_mi.py", "fast_raw.py", "radon_pass.py", "radon_memo.py")

Pair = tuple[Any, Any]
digest_of = file_memo.digest_of


def namespace(multi: bool) -> str:
    import radon

    here = Path(__file__).parent
    code = file_memo.code_digest(*(here / name for name in _RULES))
    facts = [str(multi), sys.version, str(radon.__version__), code]
    return hashlib.sha256("\0".join(facts).encode()).hexdigest()[:32]


def _valid(loaded: object) -> bool:
    if not (isinstance(loaded, list) and len(loaded) == 2):
        return False
    cc, mi = loaded
    return isinstance(cc, (list, dict)) and isinstance(mi, dict)


class Memo(file_memo.Memo):
    """The memo of one `multi` setting: (cc entry, mi entry) pairs by file digest."""

    def __init__(self, root: Path, multi: bool) -> None:
        super().__init__(root, namespace(multi), _valid)

    def get(self, digest: str) -> Pair | None:
        loaded = super().get(digest)
        return (loaded[0], loaded[1]) if loaded is not None else None
