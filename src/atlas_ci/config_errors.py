"""Config errors a user can act on: the line of a key (tomllib keeps no positions) and readable
messages for Pydantic's errors (union members merged, literals listed, near-miss keys suggested).
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)


def _split_key(raw: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", raw)]


def locate(text: str, key: Sequence[str]) -> int | None:
    """The line defining a dotted key, else the line of its longest defined prefix.

    A table reached only through a longer header (`[gates.qualty.lint]` defines `gates.qualty`)
    is located at the first such header.
    """
    best: tuple[int, bool] | None = None  # (matched length, exact definition)
    found: int | None = None
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        kv = None if header else _KEY.match(line)
        if header:
            table = _split_key(header.group(1))
            full = table
        elif kv:
            full = [*table, *_split_key(kv.group(1))]
        else:
            continue
        matched = _common_prefix(full, key)
        if not matched or matched not in (len(full), len(key)):
            continue
        score = (matched, matched == len(full))
        if best is None or score > best:
            best, found = score, number
    return found


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


# Pydantic error types -> what the value must be, in the config's own words.
_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "a string",
    "bool_type": "a boolean (true or false)",
    "bool_parsing": "a boolean (true or false)",
    "list_type": "an array",
    "tuple_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def real_loc(data: Any, loc: Sequence[int | str]) -> list[int | str]:
    """The part of an error's location that exists in the config (drops union member tags)."""
    current = data
    for index, part in enumerate(loc):
        in_table = isinstance(current, dict) and part in current
        in_array = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if not (in_table or in_array):
            return list(loc[:index])
        current = current[part]
    return list(loc)


def error_loc(data: Any, err: Any) -> list[int | str]:
    loc = list(err["loc"])
    return loc if err["type"] == "missing" else real_loc(data, loc) or loc[:1]


def describe(errors: Sequence[Any], data: Any, model: type[BaseModel]) -> tuple[list[str], str]:
    """(dotted location, message) for the first error; union members' errors merged into one."""
    first = errors[0]
    loc = error_loc(data, first)
    members = [e for e in errors if error_loc(data, e) == loc and len(e["loc"]) > len(loc)]
    others = len({tuple(error_loc(data, e)) for e in errors}) - 1
    more = f" (and {others} more)" if others > 0 else ""
    return [str(p) for p in loc], _message(first, members, model, loc) + more


def _message(first: Any, members: list[Any], model: type[BaseModel], loc: list[int | str]) -> str:
    if first["type"] == "extra_forbidden":
        return "unknown key" + _did_you_mean(model, loc)
    if first["type"] == "missing":
        return "required key is missing"
    # A union (`'auto' | 'logical' | int`) fails once per member: one message lists them all.
    expected = [w for e in members for w in _expected(e)] if len(members) > 1 else []
    expected = expected or _expected(first)
    text = "must be " + _alternatives(expected) if expected else str(first["msg"])
    return text + _got(first)


def _expected(err: Any) -> list[str]:
    if err["type"] == "literal_error":
        expected = str((err.get("ctx") or {}).get("expected", ""))
        return [p for p in re.split(r", | or ", expected) if p]
    word = _EXPECTED.get(err["type"])
    return [word] if word else []


def _alternatives(words: Sequence[str]) -> str:
    unique = list(dict.fromkeys(words))
    if len(unique) <= 1:
        return "".join(unique) or "a valid value"
    return f"{', '.join(unique[:-1])} or {unique[-1]}"


def _got(err: Any) -> str:
    got = err.get("input")
    if isinstance(got, bool | int | float | str):
        return f" (got {json.dumps(got)[:60]})"
    return ""


def _did_you_mean(model: type[BaseModel], loc: Sequence[int | str]) -> str:
    known = _fields_at(model, loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6) if loc else []
    return f" (did you mean '{close[0]}'?)" if close else ""


def _fields_at(model: type[BaseModel], path: Sequence[int | str]) -> list[str]:
    """The keys the table at `path` accepts (none known: [])."""
    current: Any = model
    skip_key = False
    for part in path:
        if skip_key:
            skip_key = False
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        current, skip_key = _table_type(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _table_type(annotation: Any) -> tuple[Any, bool]:
    """The model a field holds, and whether a dict key comes first (`dict[str, Model]`)."""
    origin = typing.get_origin(annotation)
    if origin is dict:
        return typing.get_args(annotation)[1], True
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg, False
    return annotation, False
