"""Settings of the tests gate: its categories (`[gates.tests.categories.<name>]`) and coverage."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from atlas_ci.settings import CheckSettings, GateSettings

# The built-in categories select by path (marker ""): unit is the catch-all (tests/, or wherever
# pytest's own testpaths look when there is no tests/), the others exist only where their directory,
# or else a test carrying their marker, exists (see categories.py).
DEFAULT_CATEGORIES: dict[str, dict[str, Any]] = {
    "unit": {"paths": ("tests",), "marker": "", "allow_empty": True},
    "integration": {"paths": ("tests/integration",), "marker": "", "allow_empty": True},
    "observability": {"paths": ("tests/observability",), "marker": "", "allow_empty": True},
    "reliability": {"paths": ("tests/reliability",), "marker": "", "allow_empty": True},
}

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_MARKER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Names a category cannot take: they are the gate's own checks (tests.coverage).
RESERVED = frozenset({"coverage"})


class CategorySettings(CheckSettings):
    """One test category, `tests.<name>`: which tests it runs and how."""

    paths: tuple[str, ...] = Field(
        default=(),
        description="Directories or files (relative to the repository root) this category selects "
        "from. Without a marker: the tests there that no marker category claims, each going to the "
        "marker-less category with the longest (most specific) path containing it; on a tie (two "
        "categories listing the same path) to the one whose name sorts first. With a marker: only "
        "the tests carrying it, and only under these paths (none: anywhere). Defaults: unit = "
        "tests; integration, observability, reliability = tests/<name>; none for the ones you add.",
    )
    marker: str = Field(
        default="",
        description="pytest marker (a name, not an expression): the category then selects only "
        "tests carrying it (within its paths); such a test is run by the categories whose marker "
        "it carries and by no other. Default: the category's name for categories you add, "
        '"" (by path) for the built-in ones. Set "" to select by path only.',
    )
    workers: Literal["auto", "logical"] | int | None = Field(
        default=None,
        description="Run the category with pytest-xdist (`-n auto` or `-n N`). With coverage on, "
        "workers need pytest-cov in the project's environment.",
    )
    args: tuple[str, ...] = Field(
        default=(), description="Extra pytest arguments, appended as given."
    )
    coverage: bool = Field(
        default=True,
        description="Measure coverage while this category runs (when tests.coverage is enabled).",
    )
    exclusive: bool = Field(
        default=False,
        description="Run this category alone, after the checks that run in parallel, so that "
        "timing-sensitive tests are not disturbed (tests.coverage still runs after it).",
    )
    allow_empty: bool = Field(
        default=False,
        description="When the category selects no test: `skipped` (true) or `error` (false). "
        "Default true for the four built-in categories, false for categories you add.",
    )

    @field_validator("marker")
    @classmethod
    def _marker_name(cls, value: str) -> str:
        if value and not _MARKER.match(value):
            raise ValueError(f"marker must be a pytest marker name, not an expression: {value!r}")
        return value

    @field_validator("workers")
    @classmethod
    def _positive_workers(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and value < 1:
            raise ValueError("workers must be 'auto', 'logical' or at least 1")
        return value


class CoverageSettings(CheckSettings):
    """`[gates.tests.coverage]`: thresholds on the coverage the categories measured."""

    min: float = Field(
        default=80.0,
        ge=0,
        le=100,
        description="Minimum total coverage, percent "
        "(as `coverage report` computes it: statements, plus branches if enabled).",
    )
    source: tuple[str, ...] | None = Field(
        default=None,
        description="What coverage measures (coverage's --source). Default: the project's own "
        "coverage `source` setting if it has one, else [project] paths without the test "
        "directories. Test directories inside a source are omitted; atlas-ci's files never count.",
    )
    min_new: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Minimum percent of executable lines added or changed since `--base REF` that "
        "tests executed; each uncovered new range is a finding. With --base the new-code metric is "
        "always reported; this only decides whether it fails.",
    )


class TestsGateSettings(GateSettings):
    """`[gates.tests]`: the categories (built-in ones merged with the config's)."""

    __test__ = False  # not a pytest test class, despite the name

    categories: dict[str, CategorySettings] = Field(
        default_factory=lambda: {n: CategorySettings(**s) for n, s in DEFAULT_CATEGORIES.items()},
        description="Test categories, each run as check tests.<name>. unit, integration, "
        "observability and reliability always exist (override any key); add a table to add one.",
    )

    def __hash__(self) -> int:
        # Frozen settings are hashable like every other; the categories table is a dict.
        return hash(
            tuple(
                (k, tuple(v.items()) if isinstance(v, dict) else v)
                for k, v in self.__dict__.items()
            )
        )

    @model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data: Any) -> Any:
        # A table for a built-in category changes only the keys it sets; a new name adds a category.
        if not isinstance(data, dict):
            return data
        given = data.get("categories", {})
        if not isinstance(given, dict):
            return data  # let validation report the wrong type at its key
        merged: dict[str, Any] = {n: dict(s) for n, s in DEFAULT_CATEGORIES.items()}
        for name, spec in given.items():
            base = merged.get(name, {"marker": name if _MARKER.match(str(name)) else ""})
            merged[name] = {**base, **spec} if isinstance(spec, dict) else spec
        return {**data, "categories": merged}

    @model_validator(mode="after")
    def _check_categories(self) -> TestsGateSettings:
        for name, spec in self.categories.items():
            if not _NAME.match(name):
                raise ValueError(f"category name {name!r}: use letters, digits, '-' and '_'")
            if name in RESERVED:
                raise ValueError(f"category name {name!r} is taken by the check tests.{name}")
            if not spec.paths and not spec.marker:
                raise ValueError(f"category {name!r} selects nothing: set paths or marker")
        return self
