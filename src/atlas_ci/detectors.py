"""detect-secrets' detectors run in-process over text: where on a line a credential sits.

Only the plugins' public surface is used: `RegexBasedDetector.denylist` (compiled patterns) and
`analyze_line` (the keyword and high-entropy plugins, whose value is not a plain regex match).
Nothing is sent to a third party: `analyze_line` verifies a value only under a verification
policy in detect-secrets' settings, and atlas-ci never configures one in its own process.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Not credentials: a public IP address in a message is not a secret, and version strings such
# as "4.5.6.7" would be mangled.
_NOT_SECRETS = frozenset({"IPPublicDetector"})
# A group this long is the credential itself (a password in `://user:password@`); shorter groups
# are prefixes (GitHub's `ghp`) and the whole match is the credential.
_VALUE_GROUP = 6
# Cheap gate in front of the detectors (they cost ~0.5 ms a line): a line with no token that
# could be a credential, no URL authority and no credential keyword cannot match any of them.
_CANDIDATE = re.compile(
    r"[A-Za-z0-9+/=_\-]{16,}"
    r"|(?=[A-Za-z0-9+/=_\-]*[0-9])(?=[A-Za-z0-9+/=_\-]*[A-Za-z])[A-Za-z0-9+/=_\-]{8,}"
    r"|://|PRIVATE KEY|PuTTY"
    r"|(?i:pass|pwd|secret|key|token|auth|cred|api|private)"
)


@functools.cache
def _plugins() -> tuple[list[Any], list[Any]]:
    """(regex-based detectors, the others), instantiated once with their default settings."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    regex_based: list[Any] = []
    others: list[Any] = []
    classes: list[Any] = list(get_mapping_from_secret_type_to_class().values())
    for cls in classes:
        if cls.__name__ in _NOT_SECRETS:
            continue
        plugin = cls()
        (regex_based if isinstance(plugin, RegexBasedDetector) else others).append(plugin)
    return regex_based, others


def spans(line: str, filename: str = "atlas-ci.txt") -> list[tuple[int, int]]:
    """Character ranges of `line` that a detector takes for a credential, merged and sorted."""
    if not _CANDIDATE.search(line):
        return []
    found = _regex_spans(line) + _value_spans(line, filename)
    return _merged(found)


def values(line: str, filename: str = "atlas-ci.txt") -> set[str]:
    """The credential-looking substrings of `line` (what `spans` covers)."""
    return {line[start:end] for start, end in spans(line, filename)}


def _regex_spans(line: str) -> list[tuple[int, int]]:
    regex_based, _ = _plugins()
    out = []
    for plugin in regex_based:
        for pattern in plugin.denylist:
            out += [_value_span(m) for m in pattern.finditer(line)]
    return out


def _value_span(match: re.Match[str]) -> tuple[int, int]:
    groups = [i for i in range(1, (match.re.groups or 0) + 1) if match.group(i)]
    longest = max(groups, key=lambda i: len(match.group(i)), default=None)
    if longest is not None and len(match.group(longest)) >= _VALUE_GROUP:
        return match.span(longest)
    return match.span()


def _value_spans(line: str, filename: str) -> list[tuple[int, int]]:
    _, others = _plugins()
    out = []
    for plugin in others:
        for secret in plugin.analyze_line(filename=filename, line=line, line_number=0):
            value = secret.secret_value
            if value:
                out += [(m.start(), m.end()) for m in re.finditer(re.escape(value), line)]
    return out


def _merged(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in found if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
