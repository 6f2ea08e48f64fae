"""The redaction's detectors load without requests, and cannot reach the network through it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from atlas_ci import offline_requests

# Run in a fresh interpreter: the test process may have imported requests already.
SCRIPT = textwrap.dedent(
    """
    import sys
    from atlas_ci import detectors, offline_requests

    key = "AKIA" + "IOSF" + "ODNN7" + "EXAMPLE"
    assert key in detectors.values("aws_key = " + key), "the detectors did not run"
    assert "requests" not in sys.modules, "the stand-in outlived the import"
    assert "urllib3" not in sys.modules, "the real requests was imported"

    from detect_secrets.plugins import base
    assert getattr(base.requests, "__offline__", False)
    try:
        base.requests.post("https://example.invalid", data=key)
    except base.requests.exceptions.RequestException as exc:
        assert isinstance(exc, offline_requests.OfflineError)
    else:
        raise AssertionError("the stand-in sent a request")

    import requests
    assert not getattr(requests, "__offline__", False)
    assert requests.exceptions.RequestException is not offline_requests.RequestException
    print("ok")
    """
)


def test_detectors_load_with_the_stand_in_and_the_real_library_stays_importable() -> None:
    res = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


def test_a_loaded_requests_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    real = object()
    monkeypatch.setitem(sys.modules, "requests", real)  # type: ignore[arg-type]
    with offline_requests.installed():
        assert sys.modules["requests"] is real
    assert sys.modules["requests"] is real


def test_the_stand_in_is_removed_even_when_the_import_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "requests", raising=False)
    monkeypatch.delitem(sys.modules, "requests.exceptions", raising=False)

    def failing_import() -> None:
        with offline_requests.installed():
            stub = sys.modules["requests"]
            with pytest.raises(offline_requests.OfflineError):
                stub.get("https://example.invalid")
            with pytest.raises(offline_requests.OfflineError):
                stub.Session()
            raise ImportError("a plugin failed to import")

    with pytest.raises(ImportError, match="a plugin failed"):
        failing_import()
    assert "requests" not in sys.modules
    assert "requests.exceptions" not in sys.modules
