"""The Locust command line: machine output, scale-out flags and the watchdog's allowance."""

from __future__ import annotations

from pathlib import Path

from helpers.reliability import context

from atlas_ci.checks.reliability.load import Load
from atlas_ci.checks.reliability.locust import build_args, watchdog
from atlas_ci.checks.reliability.settings import LoadSettings


def _args(tmp_path: Path, **settings: object) -> list[str]:
    ctx = context(tmp_path, Load(), {}, settings)
    s = ctx.settings
    assert isinstance(s, LoadSettings)
    return build_args(ctx, s, "http://127.0.0.1:9", s.run_time, tmp_path / "out")


def _value(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def test_headless_with_csv_full_history_and_json(tmp_path: Path) -> None:
    args = _args(tmp_path, users=7, spawn_rate=3.5, run_time=42, user_classes=["A", "B"])
    assert "--headless" in args
    assert "--csv-full-history" in args
    assert _value(args, "--csv") == _value(args, "--json-file") == str(tmp_path / "out")
    assert (_value(args, "--users"), _value(args, "--spawn-rate")) == ("7", "3.5")
    assert _value(args, "--run-time") == "42s"
    assert args[-2:] == ["A", "B"]
    assert "--processes" not in args
    assert "--master" not in args


def test_local_processes(tmp_path: Path) -> None:
    assert _value(_args(tmp_path, processes=2), "--processes") == "2"


def test_distributed_master_always_bounds_the_wait_for_workers(tmp_path: Path) -> None:
    args = _args(tmp_path, master=True, expect_workers=3, expect_workers_max_wait=45)
    assert "--master" in args
    assert _value(args, "--expect-workers") == "3"
    assert _value(args, "--expect-workers-max-wait") == "45"
    assert _value(args, "--master-bind-host") == "127.0.0.1"
    assert "--processes" not in args


def test_watchdog_allows_run_time_margin_and_worker_wait() -> None:
    assert watchdog(LoadSettings(watchdog_margin=30), 60) == 90
    assert (
        watchdog(LoadSettings(watchdog_margin=30, master=True, expect_workers_max_wait=20), 60)
        == 110
    )
