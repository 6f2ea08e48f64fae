"""The redaction's memo of clean lines: text the detectors read before and found nothing in.

Why: after an edit, nearly every message the quality checks print is one the last run printed
too, and the detectors (detect-secrets, about 0.1 s to import and as much again to read a few
thousand findings' text) read all of it again, on the parent's critical path. A line the
detectors found nothing in is remembered by its SHA-256; a later run hands the detectors only
the lines it does not remember, and does not import detect-secrets at all when there are none.

Only clean verdicts are kept, never a value the detectors found: a line holding any value they
found in its batch is not remembered, so it is read again by every run. Every other line of
the batch is clean alone too: each detector that matches a line alone matches it among others
(a newline counts as the start and end its patterns look for; that is why the detectors are
given many lines at once in the first place), and a value found is part of its line.

The memo is one file, `<root>/<namespace>/clean.json`, through file_memo; its namespace is the
digest of detectors.py (the policy) and of detect-secrets' own plugin sources (the detectors),
so a changed policy or an upgraded detect-secrets starts a new memo. Like every memo it is off
under `--no-cache` and costs speed only when it cannot be read.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Iterable
from pathlib import Path

from atlas_ci import file_memo

DIRECTORY = ".atlas-ci/cache/redaction"
# Lines kept: this run's first, then the earlier runs' until the cap (a few MB at most).
MAX_LINES = 100_000
_ENTRY = "clean"


def _sha(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]


def namespace() -> str | None:
    """The digest of the policy and of the detectors, or None when detect-secrets is not
    where this interpreter would import it from (then nothing is remembered)."""
    spec = importlib.util.find_spec("detect_secrets")
    if spec is None or not spec.submodule_search_locations:
        return None
    package = Path(next(iter(spec.submodule_search_locations)))
    sources = [Path(__file__).with_name("detectors.py"), package / "__version__.py"]
    sources += sorted((package / "plugins").glob("*.py"))
    try:
        return file_memo.code_digest(*sources)[:32]
    except OSError:
        return None


def _valid(loaded: object) -> bool:
    return isinstance(loaded, list) and all(isinstance(item, str) for item in loaded)


class CleanLines:
    """One run's use of the memo: `unknown` filters what the detectors must read, `clean`
    adds what they found nothing in, `save` writes this run's lines and the earlier ones."""

    def __init__(self, root: Path) -> None:
        space = namespace()
        self._memo = file_memo.Memo(root / DIRECTORY, space, _valid) if space else None
        loaded = self._memo.get(_ENTRY) if self._memo is not None else None
        self._earlier: list[str] = loaded or []
        self._known = set(self._earlier)
        self._seen: dict[str, None] = {}  # this run's clean lines, in order
        self._added = False
        self._lock = threading.Lock()

    def empty(self) -> bool:
        """Nothing remembered: every line will need the detectors."""
        return not self._known

    def unknown(self, lines: Iterable[str]) -> list[str]:
        """The lines not known to be clean; the known ones count as seen by this run."""
        left: list[str] = []
        with self._lock:
            for line in lines:
                digest = _sha(line)
                if digest in self._known:
                    self._seen[digest] = None
                else:
                    left.append(line)
        return left

    def clean(self, lines: Iterable[str]) -> None:
        """Lines read in one batch in which the detectors found nothing."""
        with self._lock:
            for line in lines:
                digest = _sha(line)
                self._added |= digest not in self._known
                self._known.add(digest)
                self._seen[digest] = None

    def save(self) -> None:
        if self._memo is None:
            return
        with self._lock:
            if not self._added:
                return  # nothing new to remember
            kept = list(self._seen)
            older = [d for d in self._earlier if d not in self._seen]
            self._added = False
        self._memo.put_all({_ENTRY: [*kept, *older][:MAX_LINES]})
