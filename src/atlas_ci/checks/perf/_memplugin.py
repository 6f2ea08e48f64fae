"""pytest plugin for perf.memory: the `benchmark` fixture calls the function under tracemalloc.

atlas-ci copies this file into a temporary directory as `_atlas_ci_memplugin.py` and loads it with
`-p _atlas_ci_memplugin -p no:benchmark`, so it imports nothing from atlas_ci: the project's
interpreter needs only pytest. pytest-benchmark itself must be off: its report hook rejects any
other `benchmark` fixture. For each test that uses `benchmark`, the peak traced allocation of one
call is written to the JSON file named by $ATLAS_CI_MEMORY_OUT, with the node ids selected, so
that a benchmark that never measured (it failed first, or never called the fixture) shows as
missing rather than as nothing to compare. Other tests are deselected.
"""

from __future__ import annotations

import gc
import json
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

OUT_ENV = "ATLAS_CI_MEMORY_OUT"
# One untraced warm-up call (imports, caches, free lists), then the smallest of a few traced calls.
# Each traced call starts after a full collection and runs with the cyclic GC off: otherwise the
# peak depends on when a collection happens to free the call's garbage cycles, which depends on
# everything the process allocated before. (What SQLite-backed code still wobbles by is a matter
# for min_growth_bytes: see atlas-ci.toml.)
TRACED_CALLS = 3

_peaks: dict[str, int] = {}
_selected: list[str] = []


class MemoryBenchmark:
    """Stands in for pytest-benchmark's fixture: same call signatures, measures memory instead."""

    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid
        self.extra_info: dict[str, Any] = {}
        self.group: str | None = None
        self.name = nodeid

    def __call__(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._measure(function, lambda: (args, kwargs), None)

    def pedantic(  # noqa: PLR0917 - mirrors pytest-benchmark's signature, positional use included
        self,
        target: Callable[..., Any],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        setup: Callable[[], Any] | None = None,
        teardown: Callable[..., Any] | None = None,
        rounds: int = 1,
        warmup_rounds: int = 0,
        iterations: int = 1,
    ) -> Any:
        def prepare() -> tuple[tuple[Any, ...], dict[str, Any]]:
            if setup is None:
                return args, kwargs or {}
            made = setup()
            return made if made is not None else (args, kwargs or {})

        return self._measure(target, prepare, teardown)

    def _measure(
        self,
        function: Callable[..., Any],
        prepare: Callable[[], tuple[tuple[Any, ...], dict[str, Any]]],
        teardown: Callable[..., Any] | None,
    ) -> Any:
        call_args, call_kwargs = prepare()
        result = function(*call_args, **call_kwargs)
        if teardown is not None:
            teardown(*call_args, **call_kwargs)
        peaks = []
        for _ in range(TRACED_CALLS):
            call_args, call_kwargs = prepare()
            gc.collect()
            gc.disable()
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                result = function(*call_args, **call_kwargs)
                peaks.append(tracemalloc.get_traced_memory()[1] - before)
            finally:
                tracemalloc.stop()
                gc.enable()
            if teardown is not None:
                teardown(*call_args, **call_kwargs)
        _peaks[self.nodeid] = min(peaks)
        return result


@pytest.fixture
def benchmark(request: pytest.FixtureRequest) -> MemoryBenchmark:
    return MemoryBenchmark(request.node.nodeid)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-benchmark is off, but tests may still carry its marker (and run with --strict-markers).
    config.addinivalue_line("markers", "benchmark: pytest-benchmark options (ignored here)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep = [i for i in items if "benchmark" in getattr(i, "fixturenames", ())]
    _selected[:] = [i.nodeid for i in keep]
    dropped = [i for i in items if i not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get(OUT_ENV)
    if not target:
        return
    path = Path(target)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"peaks": _peaks, "selected": _selected}), encoding="utf-8")
    tmp.replace(path)
