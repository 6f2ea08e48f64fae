"""Reading detect-secrets JSON (scan output and baselines) into findings that carry no secret."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from atlas_ci.checks.base import Check, make_finding, relpath, short_hash
from atlas_ci.checks.security.policy import SecurityContext, fail_on, is_blocking
from atlas_ci.checks.toolkit import load_json
from atlas_ci.errors import CheckError
from atlas_ci.model import Finding, Severity, fingerprint

# Heuristic detectors: likely but unproven secrets, reported below the specific detectors.
HEURISTIC_TYPES = frozenset(
    {"Base64 High Entropy String", "Hex High Entropy String", "Secret Keyword"}
)
HELP_URI = "https://github.com/Yelp/detect-secrets#inline-allowlisting"
HELP_TEXT = (
    "A credential is committed to the repository. Revoke and rotate it, then remove it. "
    "If it is not a secret, add `pragma: allowlist secret` to the line or record it in "
    "the detect-secrets baseline."
)


@dataclass(frozen=True)
class Hit:
    """One detector's match: where, what kind, and detect-secrets' SHA-1 of the value."""

    path: str
    line: int
    kind: str
    hashed_secret: str


class _Item(TypedDict):
    type: str
    line_number: int
    hashed_secret: str


class _Scan(TypedDict):
    results: dict[str, list[_Item]]


SCAN = TypeAdapter(_Scan)


def load_scan(text: str, root: Path, *, source: str) -> list[Hit]:
    """Hits from a detect-secrets JSON document; `source` names it in errors (never its content)."""
    data = load_json(text, SCAN, tool=source, quote=False)
    return [
        Hit(
            path=relpath(filename, root),
            line=max(1, item["line_number"]),
            kind=item["type"],
            hashed_secret=item["hashed_secret"],
        )
        for filename, items in data["results"].items()
        for item in items
    ]


def baseline_keys(path: Path) -> set[tuple[str, str]]:
    """(file, hashed secret) pairs the baseline already knows; a moved secret is a new finding."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckError(f"cannot read secrets baseline {path.name}: {exc}") from None
    root = path.parent
    return {
        (h.path, h.hashed_secret) for h in load_scan(text, root, source=f"baseline {path.name}")
    }


def to_findings(check: Check, ctx: SecurityContext, hits: Iterable[Hit]) -> list[Finding]:
    """One finding per secret per line, however many detectors matched it."""
    grouped: dict[tuple[str, int, str], list[str]] = {}
    for hit in hits:
        kinds = grouped.setdefault((hit.path, hit.line, hit.hashed_secret), [])
        if hit.kind not in kinds:
            kinds.append(hit.kind)
    threshold = fail_on(ctx)
    findings = []
    for (path, line, hashed), kinds in sorted(grouped.items()):
        primary = sorted(kinds, key=lambda k: (k in HEURISTIC_TYPES, k))[0]
        others = [k for k in kinds if k != primary]
        severity = Severity.MEDIUM if primary in HEURISTIC_TYPES else Severity.HIGH
        tag = short_hash(hashed, ctx.root)
        also = f" (also matched: {', '.join(others)})" if others else ""
        rule = rule_id(primary)
        findings.append(
            make_finding(
                check,
                ctx.root,
                rule_id=rule,
                message=f"{primary} at {path}:{line} [secret #{tag}]{also}",
                severity=severity,
                path=path,
                line=line,
                # From the secret's hash, not the line: the line holds the secret itself.
                fingerprint=fingerprint(rule, path, hashed),
                help_uri=HELP_URI,
                help_text=HELP_TEXT,
                tags=("security", "secret", "CWE-798"),
                blocking=is_blocking(severity, threshold),
            )
        )
    return findings


def rule_id(kind: str) -> str:
    """'AWS Access Key' -> 'aws-access-key'; 'Custom pattern: x' -> 'custom-pattern-x'."""
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-") or "secret"


# ---- the values themselves, for redaction (kept in memory, never reported) ----

# Candidate words on a flagged line, whose detect-secrets SHA-1 may match the hit's.
_WORD = re.compile(r"[^\s'\"`,;()\[\]{}<>=]+")
_KEY_END = re.compile(r"-----END[A-Z0-9 ]*PRIVATE KEY")
_KEY_BODY_LINES = 200


def found_values(root: Path, hits: Iterable[Hit]) -> set[str]:
    """What the secrets on the hits' lines are: every detector match on the line, each word
    whose SHA-1 is the hit's hash, and the body of a private key. Never written anywhere: it
    feeds `redact.remember` so the values are redacted wherever a tool repeats them."""
    from atlas_ci import detectors

    lines_of: dict[str, list[str]] = {}
    values: set[str] = set()
    for hit in hits:
        if hit.path not in lines_of:
            lines_of[hit.path] = _lines(root / hit.path)
        lines = lines_of[hit.path]
        line = lines[hit.line - 1] if hit.line <= len(lines) else ""
        values |= detectors.values(line, hit.path)
        values |= {w for w in _WORD.findall(line) if _sha1(w) == hit.hashed_secret}
        if hit.kind == "Private Key":
            values |= _key_body(lines[hit.line :])
    return values


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _key_body(lines: list[str]) -> set[str]:
    body: set[str] = set()
    for line in lines[:_KEY_BODY_LINES]:
        if _KEY_END.search(line):
            break
        # A key pasted into code keeps quotes, `\n` escapes and commas around its base64 lines.
        word = line.strip().strip("'\"`,;+").replace("\\n", "")
        if len(word) >= 16:
            body.add(word)
    return body


def _sha1(value: str) -> str:
    # detect-secrets' own (non-security) identity hash of a value, compared, never stored.
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()
