"""Bootstrap interval of median(head) / median(base) that respects how the rounds were measured.

Rounds of one pytest process share that process's conditions (CPU frequency, a noisy neighbour on
the sibling hyperthread, memory layout), so they are not independent: on a loaded 2-core machine
we measured two runs of identical code 25% apart while the rounds inside each run agreed within 2%.
Resampling rounds alone would give a tight interval around whatever offset two runs happened to
have, and a false alarm. So the resampling is two-stage: pick runs with replacement, then rounds
within each picked run with replacement. With one run it is the ordinary bootstrap.
The generator is seeded from the benchmark's name: the same data always gives the same interval.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from atlas_ci.checks.perf.stats import Sample

N_RESAMPLES = 4000
LEVEL = 0.95


def ratio_interval(head: Sample, base: Sample, seed_key: str) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of median(head) / median(base)."""
    import numpy as np

    seed = int(hashlib.sha256(seed_key.encode()).hexdigest()[:16], 16)
    rng = np.random.default_rng(seed)
    ratios = _medians(head.runs, rng) / _medians(base.runs, rng)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    return float(low), float(high)


def _medians(
    runs: tuple[tuple[float, ...], ...], rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """N_RESAMPLES medians of two-stage resamples (runs, then rounds within runs)."""
    import numpy as np

    width = max(len(run) for run in runs)
    # table[g, b, :] is resample b of run g's rounds; runs shorter than `width` are NaN-padded.
    table = np.full((len(runs), N_RESAMPLES, width), np.nan)
    for g, run in enumerate(runs):
        values = np.asarray(run, dtype=float)
        table[g, :, : len(run)] = values[rng.integers(0, len(run), (N_RESAMPLES, len(run)))]
    picked = rng.integers(0, len(runs), (N_RESAMPLES, len(runs)))
    pooled = table[picked, np.arange(N_RESAMPLES)[:, None], :].reshape(N_RESAMPLES, -1)
    even = all(len(run) == width for run in runs)
    # nanmedian is several times slower; only runs of unequal length need it.
    medians: npt.NDArray[np.float64] = (
        np.median(pooled, axis=1) if even else np.nanmedian(pooled, axis=1)
    )
    return medians
