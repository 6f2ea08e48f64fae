"""The endurance chart: memory, open fds and p95 latency over time, as one SVG (matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from atlas_ci.checks.reliability.sampler import Sample
from atlas_ci.checks.reliability.stats import HistoryRow


def draw(
    path: Path,
    samples: Sequence[Sample],
    history: Sequence[HistoryRow],
    *,
    warmup_end: float,
    memory_label: str,
) -> Path:
    """Write the chart to `path` (SVG); the warm-up that trends ignore is shaded."""
    import matplotlib

    matplotlib.use("Agg")  # no display: render straight to a file
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
    t = [s.t for s in samples]
    axes[0].plot(t, [s.memory_mb for s in samples], color="tab:blue")
    axes[0].set_ylabel(f"{memory_label} (MB)")
    axes[1].plot(t, [s.fds for s in samples], color="tab:orange", label="fds")
    axes[1].plot(t, [s.threads for s in samples], color="tab:green", label="threads")
    axes[1].set_ylabel("count")
    axes[1].legend(loc="upper left")
    _latency(axes[2], history)
    axes[2].set_xlabel("seconds")
    for ax in axes:
        ax.axvspan(0, warmup_end, color="0.9")
        ax.grid(True, alpha=0.3)
    fig.suptitle("reliability.endurance (grey: warm-up, left out of the trends)")
    fig.tight_layout()
    fig.savefig(path, format="svg")
    plt.close(fig)
    return path


def _latency(ax: Any, history: Sequence[HistoryRow]) -> None:
    if history:
        t0 = history[0].timestamp
        rows = [(r.timestamp - t0, r.p95) for r in history if r.p95 is not None]
        ax.plot([x for x, _ in rows], [y for _, y in rows], color="tab:red")
    ax.set_ylabel("p95 (ms)")
