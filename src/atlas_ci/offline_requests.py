"""A stand-in for `requests` while detect-secrets' plugins are imported into atlas-ci's process.

Why: the redaction runs detect-secrets' detectors in-process and never asks them to verify a
value (verifying sends the candidate secret to the service that issued it). Their modules still
`import requests` for that verification at import time, and requests with urllib3, chardet and
charset_normalizer is about 0.18 s of CPU: more than the rest of detect-secrets, paid by every
run that redacts anything. While the detectors are imported, `requests` resolves to this module
instead (only when the real one is not already loaded, and only for that import: afterwards
`import requests` anywhere gets the real library). Anything the plugins would do with it raises
`OfflineError`, a `RequestException`, which their verification code already reads as
"unverified": no value can leave the process through them even by mistake.
"""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Iterator
from typing import Any, NoReturn

NAME = "requests"


class RequestException(OSError):
    """requests' base exception, as the plugins catch it."""


class OfflineError(RequestException):
    """A detector tried to reach the network: atlas-ci's redaction never verifies."""


def _refuse(*_args: object, **_kwargs: object) -> NoReturn:
    raise OfflineError("atlas-ci's redaction never sends a value to verify it")


class _Placeholder:
    """Any other name the plugins read off `requests` (`requests.Response` in annotations)."""

    def __init__(self, *_args: object, **_kwargs: object) -> None:
        _refuse()


def _module() -> types.ModuleType:
    stub = types.ModuleType(NAME, __doc__)
    exceptions = types.ModuleType(f"{NAME}.exceptions")
    exceptions.RequestException = RequestException  # type: ignore[attr-defined]
    exceptions.ConnectionError = OfflineError  # type: ignore[attr-defined]
    stub.exceptions = exceptions  # type: ignore[attr-defined]
    stub.RequestException = RequestException  # type: ignore[attr-defined]
    for verb in ("request", "get", "post", "put", "patch", "delete", "head", "options"):
        setattr(stub, verb, _refuse)

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Placeholder

    stub.__getattr__ = __getattr__  # type: ignore[method-assign]
    stub.__offline__ = True  # type: ignore[attr-defined]
    return stub


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """`import requests` gives the stand-in inside the block (unless requests is loaded)."""
    if NAME in sys.modules:
        yield
        return
    stub = _module()
    sys.modules[NAME] = stub
    sys.modules[f"{NAME}.exceptions"] = stub.exceptions
    try:
        yield
    finally:
        for name, module in ((NAME, stub), (f"{NAME}.exceptions", stub.exceptions)):
            if sys.modules.get(name) is module:
                del sys.modules[name]
