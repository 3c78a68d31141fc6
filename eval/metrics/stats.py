"""Aggregation: seeded bootstrap intervals, paired significance tests, rank correlation.

Everything takes per-document values (one number per document, the same documents in the same
order for paired tests) and a seed, so a rerun gives the same numbers to the last digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Correlation",
    "Interval",
    "PairedTest",
    "bootstrap_indices",
    "bootstrap_interval",
    "paired_test",
    "pearson",
    "percentile_interval",
    "rankdata",
    "spearman",
]


@dataclass(frozen=True)
class Interval:
    """A mean with a percentile-bootstrap confidence interval over documents."""

    mean: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class PairedTest:
    """System A minus system B on the same documents.

    `low`/`high` bound the mean difference (paired bootstrap); `p_bootstrap` is the two-sided
    bootstrap p-value (twice the share of resamples on the other side of zero) and
    `p_permutation` the two-sided paired permutation (sign-flip) p-value.
    """

    delta: float
    low: float
    high: float
    p_bootstrap: float
    p_permutation: float
    n: int


@dataclass(frozen=True)
class Correlation:
    """A correlation coefficient with a bootstrap interval and a permutation p-value."""

    r: float
    low: float
    high: float
    p_value: float
    n: int


def _as_vector(values, name: str = "values") -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; drop undefined documents first")
    return array


def _check_resampling(resamples: int, confidence: float) -> None:
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def bootstrap_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    """A (resamples, n) matrix of document indices drawn with replacement, fixed by `seed`."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(resamples, n))


def percentile_interval(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(samples, [alpha, 1.0 - alpha])
    return float(low), float(high)


def bootstrap_interval(values, *, resamples: int = 1000, confidence: float = 0.95, seed: int = 0) -> Interval:
    """Mean of `values` with a percentile bootstrap interval. Empty input gives NaNs and n=0."""
    _check_resampling(resamples, confidence)
    array = _as_vector(values)
    if array.size == 0:
        return Interval(mean=float("nan"), low=float("nan"), high=float("nan"), n=0)
    means = array[bootstrap_indices(array.size, resamples, seed)].mean(axis=1)
    low, high = percentile_interval(means, confidence)
    return Interval(mean=float(array.mean()), low=low, high=high, n=int(array.size))


def paired_test(a, b, *, resamples: int = 1000, confidence: float = 0.95, seed: int = 0) -> PairedTest:
    """Compare two systems scored on the same documents (paired bootstrap and permutation)."""
    _check_resampling(resamples, confidence)
    a_array, b_array = _as_vector(a, "a"), _as_vector(b, "b")
    if a_array.shape != b_array.shape:
        raise ValueError(
            f"paired test needs the same documents for both systems, got {a_array.size} and {b_array.size}"
        )
    n = a_array.size
    if n == 0:
        nan = float("nan")
        return PairedTest(delta=nan, low=nan, high=nan, p_bootstrap=nan, p_permutation=nan, n=0)
    diff = a_array - b_array
    observed = float(diff.mean())

    boot = diff[bootstrap_indices(n, resamples, seed)].mean(axis=1)
    low, high = percentile_interval(boot, confidence)
    p_bootstrap = min(1.0, 2.0 * min(float(np.mean(boot <= 0.0)), float(np.mean(boot >= 0.0))))

    rng = np.random.default_rng(seed + 1)
    signs = rng.choice(np.array([-1.0, 1.0]), size=(resamples, n))
    permuted = np.abs(signs @ diff) / n
    # Tolerance so that ties with the observed value (e.g. all-zero differences) count as extreme.
    extreme = int(np.sum(permuted >= abs(observed) - 1e-12))
    p_permutation = (extreme + 1) / (resamples + 1)
    return PairedTest(
        delta=observed, low=low, high=high, p_bootstrap=p_bootstrap, p_permutation=p_permutation, n=n
    )


def rankdata(values) -> np.ndarray:
    """Ranks starting at 1, ties get the average of their ranks (like scipy's 'average')."""
    array = _as_vector(values)
    order = np.argsort(array, kind="mergesort")
    sorted_values = array[order]
    ranks = np.empty(array.size, dtype=float)
    start = 0
    while start < array.size:
        stop = start
        while stop + 1 < array.size and sorted_values[stop + 1] == sorted_values[start]:
            stop += 1
        ranks[order[start : stop + 1]] = (start + stop) / 2.0 + 1.0
        start = stop + 1
    return ranks


def _pearson_r(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row-wise Pearson r for (k, n) arrays; NaN where a row is constant."""
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    denominator = np.sqrt((xc * xc).sum(axis=-1) * (yc * yc).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (xc * yc).sum(axis=-1) / denominator, np.nan)


def _correlation(
    x: np.ndarray, y: np.ndarray, *, resamples: int, confidence: float, seed: int
) -> Correlation:
    n = x.size
    r = float(_pearson_r(x[None, :], y[None, :])[0]) if n >= 2 else float("nan")
    if not np.isfinite(r):
        nan = float("nan")
        return Correlation(r=nan, low=nan, high=nan, p_value=nan, n=int(n))
    idx = bootstrap_indices(n, resamples, seed)
    boot = _pearson_r(x[idx], y[idx])
    boot = boot[np.isfinite(boot)]
    low, high = percentile_interval(boot, confidence) if boot.size else (float("nan"), float("nan"))
    rng = np.random.default_rng(seed + 1)
    shuffled = np.stack([y[rng.permutation(n)] for _ in range(resamples)])
    null = np.abs(_pearson_r(np.broadcast_to(x, shuffled.shape), shuffled))
    p_value = (int(np.sum(null >= abs(r) - 1e-12)) + 1) / (resamples + 1)
    return Correlation(r=r, low=low, high=high, p_value=p_value, n=int(n))


def pearson(x, y, *, resamples: int = 1000, confidence: float = 0.95, seed: int = 0) -> Correlation:
    """Pearson r (point-biserial when one side is 0/1), bootstrap interval, permutation p-value."""
    _check_resampling(resamples, confidence)
    x_array, y_array = _as_vector(x, "x"), _as_vector(y, "y")
    if x_array.shape != y_array.shape:
        raise ValueError(f"x and y differ in length: {x_array.size} vs {y_array.size}")
    return _correlation(x_array, y_array, resamples=resamples, confidence=confidence, seed=seed)


def spearman(x, y, *, resamples: int = 1000, confidence: float = 0.95, seed: int = 0) -> Correlation:
    """Spearman rho: Pearson r of average ranks. The interval re-ranks nothing: it resamples the
    rank pairs, which is the usual cheap approximation."""
    _check_resampling(resamples, confidence)
    x_array, y_array = _as_vector(x, "x"), _as_vector(y, "y")
    if x_array.shape != y_array.shape:
        raise ValueError(f"x and y differ in length: {x_array.size} vs {y_array.size}")
    if x_array.size == 0:
        nan = float("nan")
        return Correlation(r=nan, low=nan, high=nan, p_value=nan, n=0)
    return _correlation(
        rankdata(x_array), rankdata(y_array), resamples=resamples, confidence=confidence, seed=seed
    )
