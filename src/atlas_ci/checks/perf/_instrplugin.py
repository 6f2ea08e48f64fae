"""pytest plugin for the instructions timer: a warm-up call before pytest-codspeed's measured one.

atlas-ci copies this file into a temporary directory as `_atlas_ci_instrplugin.py` and loads it
with `-p _atlas_ci_instrplugin` into a pytest that runs under `valgrind --tool=callgrind
--instr-atstart=no` with pytest-codspeed enabled. pytest-codspeed switches callgrind's
instrumentation on around exactly one call of each benchmark and dumps the counters under the
benchmark's name. On Python < 3.12 it makes no warm-up call, and the first call of a process pays
one-time costs (lazy imports, caches, the interpreter's specialisation) that vary by a percent
from run to run; measured here: the first benchmark of a process 55.88M +- 0.77M instructions,
the same call after one warm-up 55.874M +- 70. So the `benchmark` fixture seen by the tests calls
the function once, uninstrumented, then hands it to pytest-codspeed's public `codspeed_benchmark`
fixture. Each warmed node id is written to the JSON file named by $ATLAS_CI_INSTR_OUT, so atlas-ci
can tell that every count it reads was taken warm. It imports nothing from atlas_ci.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

OUT_ENV = "ATLAS_CI_INSTR_OUT"

_warmed: list[str] = []


class WarmBenchmark:
    """The pytest-benchmark call signatures, each measured call preceded by a warm-up call."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request
        self.extra_info: dict[str, Any] = {}
        self.group: str | None = None
        self.name = request.node.nodeid

    def _measured(self) -> Any:
        return self._request.getfixturevalue("codspeed_benchmark")

    def __call__(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        function(*args, **kwargs)
        _warmed.append(self.name)
        return self._measured()(function, *args, **kwargs)

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
        # One measured call whatever the rounds: instruction counts do not need repeating.
        _warmed.append(self.name)
        return self._measured().pedantic(
            target,
            args=args,
            kwargs=kwargs or {},
            setup=setup,
            teardown=teardown,
            rounds=1,
            warmup_rounds=max(1, warmup_rounds),
            iterations=1,
        )


def _warm_benchmark(request: pytest.FixtureRequest) -> WarmBenchmark:
    return WarmBenchmark(request)


@pytest.hookimpl(wrapper=True)
def pytest_sessionstart(session: pytest.Session) -> Any:
    # pytest-codspeed registers its own `benchmark` at session start; registering ours after
    # it (the wrapper resumes once every other implementation ran) makes ours the one tests get.
    outcome = yield
    register = getattr(pytest, "register_fixture", None)
    if register is not None:
        register(name="benchmark", func=_warm_benchmark, node=session)
    return outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get(OUT_ENV)
    if not target:
        return
    path = Path(target)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"warmed": _warmed}), encoding="utf-8")
    tmp.replace(path)
