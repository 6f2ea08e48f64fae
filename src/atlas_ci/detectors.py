"""detect-secrets' detectors run in-process over text: where on a line a credential sits.

Only the plugins' public surface is used: `RegexBasedDetector.denylist` (compiled patterns) and
`analyze_line` (the keyword and high-entropy plugins, whose value is not a plain regex match).
Nothing is sent to a third party: `analyze_line` verifies a value only under a verification
policy in detect-secrets' settings, atlas-ci never configures one in its own process, and the
plugins are imported with a stand-in for `requests` that refuses every request
(offline_requests.py).
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atlas_ci.detector_memo import CleanLines

# Not credentials: a public IP address in a message is not a secret, and version strings such
# as "4.5.6.7" would be mangled.
_NOT_SECRETS = frozenset({"IPPublicDetector"})
# Detectors whose patterns need a credential keyword next to the value. They are the slow ones
# (~4 s over 25,000 lines between them), so they only see the lines holding such a keyword.
_KEYWORDED = frozenset(
    {
        "KeywordDetector",
        "SoftlayerDetector",
        "CloudantDetector",
        "IbmCosHmacDetector",
        "IbmCloudIamDetector",
    }
)
# Plugins that report only their first match in the text they are given.
_PER_LINE = frozenset({"KeywordDetector"})
# Every keyword those patterns require contains one of these (`api_key`, `passwd`, `pw`...).
_KEYWORD = re.compile(r"(?i:key|pw|pass|token|secret|contrase|access)")
# pragma: allowlist nextline secret
# A group this long is the credential itself (a password in `://user:password@`); shorter groups
# are prefixes (GitHub's `ghp`) and the whole match is the credential.
_VALUE_GROUP = 6
# Cheap gate in front of the detectors: a line with no token that could be a credential, no URL
# authority and no credential keyword cannot match any of them (they all work line by line).
_CANDIDATE = re.compile(
    r"[A-Za-z0-9+/=_\-]{16,}"
    r"|(?=[A-Za-z0-9+/=_\-]*[0-9])(?=[A-Za-z0-9+/=_\-]*[A-Za-z])[A-Za-z0-9+/=_\-]{8,}"
    r"|://|PRIVATE KEY|PuTTY"
    r"|(?i:key|pw|pass|token|secret|contrase|access|auth|cred|api|private)"
)
# Text is scanned in chunks of whole lines, so no pattern ever runs over megabytes at once.
_CHUNK = 256 * 1024


_LOADING = threading.Lock()


def preload() -> None:
    """Import and build the detectors now (a run calls this in a thread while its checks run,
    so the redaction at the end does not wait for detect-secrets' import). A failure here is
    silent: the redaction's own call meets it again and reports it."""
    with contextlib.suppress(Exception):
        _plugins()


def _plugins() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    # Locked: the preloading thread and the redaction may both ask at once; one builds.
    with _LOADING:
        return _built()


@functools.cache
def _built() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(detectors run over all text, detectors run over keyword lines), default settings."""
    from atlas_ci import offline_requests

    # The plugins import requests only to verify values, which the redaction never does.
    with offline_requests.installed():
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

        classes: list[Any] = list(get_mapping_from_secret_type_to_class().values())
    everywhere: list[Any] = []
    keyworded: list[Any] = []
    for cls in classes:
        if cls.__name__ not in _NOT_SECRETS:
            (keyworded if cls.__name__ in _KEYWORDED else everywhere).append(cls())
    return tuple(everywhere), tuple(keyworded)


def values(text: str, filename: str = "atlas-ci.txt", memo: CleanLines | None = None) -> set[str]:
    """The substrings of `text` that a detector takes for a credential. With `memo`, the lines
    it knows to be clean are not read again, and the batches found clean are added to it."""
    found: set[str] = set()
    # Each line once: a repeated message (the same rule on many lines) adds nothing.
    lines = list(dict.fromkeys(ln for ln in text.splitlines() if _CANDIDATE.search(ln)))
    if memo is not None:
        lines = memo.unknown(lines)
    if not lines:
        return found  # nothing any detector could match: detect-secrets is not even imported
    everywhere, keyworded = _plugins()
    for chunk in _chunks("\n".join(lines)):
        here = _chunk_values(everywhere, keyworded, chunk, filename)
        if memo is not None:
            # A line holding none of the values found holds none alone: each detector that
            # matches a line alone matches it in the batch too, and a value is part of its line.
            memo.clean(ln for ln in chunk.splitlines() if not any(v in ln for v in here))
        found |= here
    return found


def _chunk_values(
    everywhere: tuple[Any, ...], keyworded: tuple[Any, ...], chunk: str, filename: str
) -> set[str]:
    """What the detectors find in one chunk of lines (the keyworded ones on keyword lines)."""
    here = _detect(everywhere, chunk, filename)
    keyed = "\n".join(ln for ln in chunk.splitlines() if _KEYWORD.search(ln))
    if keyed:
        here |= _detect(keyworded, keyed, filename)
    return {v for v in here if v.strip()}


def _chunks(text: str) -> list[str]:
    if len(text) <= _CHUNK:
        return [text] if text else []
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        if size + len(line) > _CHUNK and current:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line)
    return [*chunks, "".join(current)] if current else chunks


def _detect(plugins: tuple[Any, ...], text: str, filename: str) -> set[str]:
    from detect_secrets.plugins.base import RegexBasedDetector

    found: set[str] = set()
    for plugin in plugins:
        if isinstance(plugin, RegexBasedDetector):
            for pattern in plugin.denylist:
                found |= {_value(m) for m in pattern.finditer(text)}
        # The keyword and high-entropy plugins decide on more than a match (file type,
        # entropy): their own line analysis says what the value is. The keyword plugin
        # stops at its first match per pattern, so it is given one line at a time.
        elif type(plugin).__name__ in _PER_LINE:
            for line in set(text.splitlines()):
                found |= _line_values(plugin, line, filename)
        else:
            found |= _line_values(plugin, text, filename)
    return found


def _line_values(plugin: Any, line: str, filename: str) -> set[str]:
    secrets = plugin.analyze_line(filename=filename, line=line, line_number=0)
    return {s.secret_value for s in secrets if s.secret_value}


def _value(match: re.Match[str]) -> str:
    groups = [i for i in range(1, (match.re.groups or 0) + 1) if match.group(i)]
    longest = max(groups, key=lambda i: len(match.group(i)), default=None)
    if longest is not None and len(match.group(longest)) >= _VALUE_GROUP:
        return match.group(longest)
    return match.group(0)
