"""The one redaction pass every string atlas-ci emits goes through: secrets never leave.

What is redacted, wherever it appears:
- every value `security.secrets` found in this run, fed in through `remember` and held in this
  process's memory only (never written anywhere), with its escaped forms (XML, JSON, repr, URL);
- private-key blocks (`-----BEGIN ... PRIVATE KEY-----` up to their END line);
- whatever detect-secrets' detectors take for a credential in free text (reasons, messages).

`report` is the pure Report -> Report pass applied where the Report is finished; `text` is the
pass for the console and annotation edge; `artifact_text` is for the tool files (JUnit XML,
coverage data) atlas-ci leaves in the report directory. Control and ANSI sequences are stripped
from every report string too. The per-secret tag (`secret_tag`) is an HMAC keyed per repository.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import html
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from atlas_ci import detectors
from atlas_ci.model import CheckResult, Report
from atlas_ci.text import clean

if TYPE_CHECKING:
    from atlas_ci.detector_memo import CleanLines

REDACTED = "[redacted]"
# Shorter values are not substituted in free text: "test" or "admin" would blank out every
# mention of the word. Real credentials are far longer; detectors still see the short ones.
MIN_LENGTH = 6
SALT_ENV = "ATLAS_CI_SECRET_SALT"
TAG_LENGTH = 12

# Free text from tools: the detectors run over it. Other strings (paths, rule ids, tags) get the
# known values only, so that a detector cannot mangle an identifier it finds random-looking.
_FREE_TEXT = frozenset({"reason", "message", "help_text"})
# Identity and bookkeeping fields atlas-ci computes itself: never rewritten.
# Check and gate names are atlas-ci's own too: a false positive whose value is an ordinary word
# ("security") must not turn `security.bandit` into `[redacted].bandit` and lose the check.
_OWN = frozenset(
    {
        "fingerprint",
        "line_hash",
        "config_digest",
        "commit",
        "started_at",
        "schema_version",
        "check",
        "gate",
        "status",
    }
)
_PEM = re.compile(
    r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:.*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=:, \t\r\n-]|\\[nr])*)"
    r"|PuTTY-User-Key-File-\d.*",
    re.DOTALL,
)

# `password=hunter2` in a tool's message: detect-secrets' keyword detector wants the value quoted
# (in code), so unquoted assignments of credential-named keys are caught here.
_ASSIGNED = re.compile(
    r"(?i)(\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key)"
    r"\s*=\s*)(?!\[redacted\])([^\s'\"<>,;&]{6,})"
)

M = TypeVar("M", bound=BaseModel)


class _Known:
    """The secret values of this run, with one compiled pattern rebuilt when they change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.generation = 0  # moves whenever the values do

    def add(self, values: Iterable[str]) -> None:
        forms = {form for v in values if len(v) >= MIN_LENGTH for form in _encoded(v)}
        with self._lock:
            if not forms <= self._values:
                self._values |= forms
                self._pattern = None
                self.generation += 1

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._pattern = None
            self.generation += 1

    def values(self) -> list[str]:
        with self._lock:
            return sorted(self._values, key=lambda v: (-len(v), v))

    def pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._values:
                # Longest first, so a value containing another is replaced whole.
                ordered = sorted(self._values, key=lambda v: (-len(v), v))
                self._pattern = re.compile("|".join(map(re.escape, ordered)))
            return self._pattern


def _encoded(value: str) -> set[str]:
    """The value as it appears once a format has escaped it (XML, JSON, Python repr, URL)."""
    return {
        value,
        html.escape(value, quote=False),
        html.escape(value, quote=True),
        json.dumps(value)[1:-1],
        repr(value)[1:-1],
        quote(value, safe=""),
    }


_known = _Known()


def remember(values: Iterable[str]) -> None:
    """Secret values found in this run: from now on they are redacted wherever they appear."""
    _known.add(values)


def forget() -> None:
    """Drop every remembered value (a new run in the same process starts clean)."""
    _known.clear()
    _passed.findings = {}


def known_only(text: str) -> str:
    pattern = _known.pattern()
    return pattern.sub(REDACTED, text) if pattern else text


def mask_known(data: bytes) -> bytes:
    """Binary data with each known value overwritten in place by as many `x` (same length)."""
    for value in _known.values():
        raw = value.encode("utf-8", errors="surrogatepass")
        data = data.replace(raw, b"x" * len(raw))
    return data


def text(value: str) -> str:
    """Tool text made safe to emit: cleaned of control/ANSI sequences, every secret replaced."""
    return artifact_text(clean(value))


def artifact_text(value: str, memo: CleanLines | None = None) -> str:
    """Every secret replaced; nothing else changed (for files in the tool's own format)."""
    return _Scrubber([value], memo).apply(value)


class _Scrubber:
    """Known values, key blocks and what the detectors find in all of `texts` at once (one
    detector pass over the lot is far cheaper than one per string), then applied to each."""

    def __init__(self, texts: Iterable[str], memo: CleanLines | None = None) -> None:
        known = _known.pattern()
        unique = dict.fromkeys(texts)  # one read of each distinct text is as good as many
        joined = "\n".join(known.sub(REDACTED, t) if known else t for t in unique)
        found = detectors.values(_PEM.sub(REDACTED, joined), memo=memo) if joined else set()
        self._known = known
        self._found = _alternation(found - {REDACTED})
        # Findings repeat their strings (paths, rule names, help): each is fixed once.
        self._fixed: dict[tuple[str, bool], str] = {}

    def fix(self, value: str, is_free: bool) -> str:
        """One report string: free text gets every pass, other strings the known values."""
        key = (value, is_free)
        done = self._fixed.get(key)
        if done is None:
            done = self.apply(clean(value)) if is_free else known_only(clean(value))
            self._fixed[key] = done
        return done

    def apply(self, value: str) -> str:
        if self._known:
            value = self._known.sub(REDACTED, value)
        value = _ASSIGNED.sub(rf"\1{REDACTED}", _PEM.sub(REDACTED, value))
        return self._found.sub(REDACTED, value) if self._found else value


def _alternation(values: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(values), key=lambda v: (-len(v), v))
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


def report(rep: Report, *, detect: bool = True) -> Report:
    """The same Report with every string redacted (pure: no I/O, the input is unchanged).

    `detect=False` when its check results went through `results` already: the detectors do
    not read that text twice; known values, key blocks and assignments are still applied,
    except to the findings `results` returned, which are passed as they are (they had all of
    that and the detectors too; what was added since, a baselined copy say, is read)."""
    free: list[str] = []
    if detect:
        _collect(rep, free)
    return _model(rep, _Scrubber(free).fix, None if detect else _passed.current())


class _Passed:
    """The findings the last `results` call returned, by identity (held, so that no other
    object can take one's id while it is remembered), while the known values are the ones
    they were redacted with."""

    def __init__(self) -> None:
        self.findings: dict[int, BaseModel] = {}
        self.generation = -1

    def keep(self, items: Sequence[CheckResult]) -> None:
        self.findings = {id(f): f for res in items for f in res.findings}
        self.generation = _known.generation

    def current(self) -> dict[int, BaseModel] | None:
        return self.findings if self.generation == _known.generation else None


_passed = _Passed()


def results(items: Sequence[CheckResult], memo: CleanLines | None = None) -> list[CheckResult]:
    """Check results redacted, the detectors reading the free text of fresh ones only: a result
    from the cache was redacted before it was stored (cache.py), so a run served wholly from
    the cache never loads detect-secrets. With `memo`, the detectors skip the lines an earlier
    run's detectors found clean (detector_memo.py)."""
    fresh: list[str] = []
    for res in items:
        if not res.cached:
            _collect(res, fresh)
    scrubber = _Scrubber(fresh, memo)
    done = [_model(res, scrubber.fix) for res in items]
    _passed.keep(done)
    return done


def _collect(model: BaseModel, into: list[str]) -> None:
    def collect(value: str, is_free: bool) -> str:
        if is_free:
            into.append(clean(value))
        return value

    _model(model, collect)


def _model(
    model: M, fix: Callable[[str, bool], str], passed: Mapping[int, BaseModel] | None = None
) -> M:
    if passed and passed.get(id(model)) is model:
        return model
    update: dict[str, Any] = {}
    # The instance's field values (pydantic keeps them in __dict__): a fast walk matters with
    # tens of thousands of findings.
    for name, old in model.__dict__.items():
        if name in _OWN:
            continue
        new = _value(old, fix, passed, free=name in _FREE_TEXT)
        if new is not old:
            update[name] = new
    return model.model_copy(update=update) if update else model


def _value(
    value: Any,
    fix: Callable[[str, bool], str],
    passed: Mapping[int, BaseModel] | None,
    *,
    free: bool,
) -> Any:
    # Exact `str` only: the status and severity enums are str subclasses and stay as they are.
    if type(value) is str:
        new = fix(value, free)
        return value if new == value else new
    if isinstance(value, BaseModel):
        return _model(value, fix, passed)
    if isinstance(value, tuple):
        items = tuple(_value(v, fix, passed, free=free) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def secret_tag(value: str, root: Path) -> str:
    """A short tag for a secret: the same within a repository, unrelated across repositories.

    HMAC-SHA256 keyed with `$ATLAS_CI_SECRET_SALT` when set, else the repository's root commit
    id, else its absolute path; an unsalted hash would let anyone match a tag to a guess.
    """
    key = _key(Path(os.path.abspath(root)), os.environ.get(SALT_ENV) or None)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:TAG_LENGTH]


@functools.cache
def _key(root: Path, salt: str | None) -> bytes:
    if salt:
        return salt.encode()
    return (_root_commit(root) or str(root)).encode()


def _root_commit(root: Path) -> str | None:
    from atlas_ci import process

    try:
        res = process.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=root, timeout=10)
    except Exception:
        return None
    # A history with several roots (merged projects) lists them all; the smallest is stable.
    commits = sorted(res.stdout.split()) if res.returncode == 0 else []
    return commits[0] if commits else None
