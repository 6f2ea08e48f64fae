"""A small systemd unit-file reader: sections, keys and values with the line each came from.

It follows systemd.syntax(7) as far as the deploy rules need: `#`/`;` comments, `[Section]`
headers, `Key=Value` assignments (a key may repeat; an empty value resets a list), and lines
continued with a trailing backslash. Values keep systemd's own spelling; nothing is expanded.
"""

from __future__ import annotations

from dataclasses import dataclass

TRUE_WORDS = frozenset({"1", "yes", "y", "true", "t", "on"})


@dataclass(frozen=True)
class Entry:
    section: str
    key: str
    value: str
    line: int


@dataclass(frozen=True)
class UnitFile:
    entries: tuple[Entry, ...]
    # Line of each section header, so a missing key can be reported where it belongs.
    sections: dict[str, int]

    def values(self, section: str, key: str) -> list[Entry]:
        return [e for e in self.entries if e.section == section and e.key == key]

    def last(self, section: str, key: str) -> Entry | None:
        """The assignment that wins (systemd applies the last one)."""
        found = self.values(section, key)
        return found[-1] if found else None

    def section_line(self, section: str) -> int | None:
        return self.sections.get(section)


def is_true(value: str) -> bool:
    return value.strip().lower() in TRUE_WORDS


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Stripped lines with their first line number, backslash continuations joined."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for index, raw in enumerate(text.splitlines(), start=1):
        number, line = index, raw.strip()
        if pending is not None:
            # systemd.syntax(7): comment lines inside a continuation are skipped.
            if line.startswith(("#", ";")):
                continue
            number, line = pending[0], f"{pending[1]} {line}"
            pending = None
        if line.endswith("\\"):
            pending = (number, line[:-1].rstrip())
            continue
        out.append((number, line))
    if pending is not None:
        out.append(pending)
    return out


def parse(text: str) -> UnitFile:
    entries: list[Entry] = []
    sections: dict[str, int] = {}
    section = ""
    for number, line in logical_lines(text):
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            sections.setdefault(section, number)
            continue
        key, sep, value = line.partition("=")
        if sep:
            entries.append(Entry(section, key.strip(), value.strip(), number))
    return UnitFile(tuple(entries), sections)
