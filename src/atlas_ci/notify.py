"""Failure alerts: webhooks (Slack-compatible, Microsoft Teams, generic JSON) after a gate run.

The URL is never in config: `url_env` names the environment variable that holds it, so the config
file can be committed. Delivery is best effort by design: bounded retries, a timeout per attempt,
and a failure becomes a warning — an alert must never change the verdict or the exit code. The
payload is built from the redacted report and passed through the same `scrub` as every other
output before it leaves.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from atlas_ci.model import Report, Status
from atlas_ci.ops_settings import NotifySettings, Webhook

BAD = (Status.FAILED, Status.ERROR)
MAX_LISTED = 20


def due(hook: Webhook, status: Status, previous: Status | None) -> bool:
    if hook.when == "always":
        return True
    if status in BAD:
        return True
    return hook.when == "recovery" and previous in BAD


def _facts(report: Report, run_url: str | None) -> dict[str, object]:
    bad = [c for c in report.checks if c.status in BAD]
    return {
        "status": report.status.value,
        "commit": report.commit,
        "started_at": report.started_at,
        "interrupted": report.interrupted,
        "run_url": run_url,
        "checks": [
            {"check": c.check, "status": c.status.value, "reason": c.reason}
            for c in bad[:MAX_LISTED]
        ],
        "more": max(0, len(bad) - MAX_LISTED),
    }


def _text(facts: Mapping[str, object]) -> str:
    commit = str(facts["commit"] or "")[:12]
    lines = [f"atlas-ci: {facts['status']} at {commit or 'unknown commit'}"]
    checks = facts["checks"]
    assert isinstance(checks, list)  # noqa: S101 - built by _facts above
    lines += [f"- {c['check']}: {c['status']} - {c['reason']}" for c in checks]
    if facts["more"]:
        lines.append(f"... and {facts['more']} more")
    if facts["run_url"]:
        lines.append(str(facts["run_url"]))
    return "\n".join(lines)


def payload(kind: str, report: Report, run_url: str | None) -> dict[str, object]:
    facts = _facts(report, run_url)
    if kind == "slack":
        return {"text": _text(facts)}
    if kind == "teams":
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": f"atlas-ci: {facts['status']}",
            "text": _text(facts).replace("\n", "\n\n"),
        }
    return {"source": "atlas-ci", **facts}


def _post(url: str, body: bytes, timeout: float) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("webhook URL must be http or https")
    req = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    # Scheme checked above: http(s) only.
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310  # nosec B310
        resp.read(1024)


def deliver(url: str, body: bytes, settings: NotifySettings) -> str | None:
    """None when delivered; else why not (after the retries)."""
    problem = ""
    for attempt in range(settings.retries + 1):
        try:
            _post(url, body, settings.timeout)
            return None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            problem = str(getattr(exc, "reason", exc)) or type(exc).__name__
        if attempt < settings.retries:
            time.sleep(min(2.0, 0.25 * 2**attempt))
    return problem


def send(
    settings: NotifySettings,
    report: Report,
    *,
    previous: Status | None,
    env: Mapping[str, str],
    scrub: Callable[[str], str],
) -> list[str]:
    """Post to every due webhook; the warnings to show (never raises, never changes a verdict)."""
    warnings: list[str] = []
    run_url = _run_url(env)
    for hook in settings.webhooks:
        if not due(hook, report.status, previous):
            continue
        url = env.get(hook.url_env, "").strip()
        if not url:
            warnings.append(f"notify: ${hook.url_env} is not set; alert not sent")
            continue
        body = json.dumps(_scrubbed(payload(hook.kind, report, run_url), scrub)).encode()
        problem = deliver(url, body, settings)
        if problem:
            # The URL itself is a credential for most webhooks: name the variable, never the URL.
            warnings.append(f"notify: delivery to ${hook.url_env} failed: {scrub(problem)}")
    return warnings


def _scrubbed(value: object, scrub: Callable[[str], str]) -> object:
    """Every string in the payload through the redaction pass (JSON stays well formed)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v, scrub) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, scrub) for v in value]
    return value


def _run_url(env: Mapping[str, str]) -> str | None:
    server, repo, run = (
        env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None
