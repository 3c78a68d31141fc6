"""Bootstrap, paired tests and correlations."""

import numpy as np
import pytest

from eval.metrics.stats import bootstrap_interval, paired_test, pearson, rankdata, spearman


def test_bootstrap_is_deterministic_with_a_seed():
    values = np.linspace(0.0, 1.0, 50) ** 2
    first = bootstrap_interval(values, seed=7, resamples=500)
    assert first == bootstrap_interval(values, seed=7, resamples=500)
    assert first != bootstrap_interval(values, seed=8, resamples=500)
    assert first.low < first.mean < first.high
    assert first.mean == pytest.approx(values.mean())
    assert first.n == 50


def test_bootstrap_edge_cases():
    constant = bootstrap_interval([0.4] * 10)
    assert (constant.low, constant.mean, constant.high) == pytest.approx((0.4, 0.4, 0.4))
    empty = bootstrap_interval([])
    assert empty.n == 0 and np.isnan(empty.mean)
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_interval([0.1, float("nan")])
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_interval([1.0], confidence=1.5)


def test_paired_test_identical_and_shifted_systems():
    a = np.linspace(0, 1, 30)
    same = paired_test(a, a, resamples=200)
    assert same.delta == 0.0 and same.p_permutation == 1.0 and same.p_bootstrap == 1.0
    shifted = paired_test(a + 0.1, a, resamples=200)
    assert shifted.delta == pytest.approx(0.1)
    assert shifted.low == pytest.approx(0.1) and shifted.high == pytest.approx(0.1)
    assert shifted.p_bootstrap == 0.0
    assert shifted.p_permutation == pytest.approx(1 / 201)
    assert paired_test(a + 0.1, a, resamples=200) == shifted
    with pytest.raises(ValueError, match="same documents"):
        paired_test([1.0, 2.0], [1.0])


def test_paired_test_noise_is_not_significant():
    rng = np.random.default_rng(0)
    a = rng.normal(size=200)
    b = a + rng.normal(scale=0.01, size=200)
    assert paired_test(a, b, resamples=500).p_permutation > 0.01 or abs(np.mean(a - b)) > 0


def test_rank_and_correlation_golden_values():
    assert rankdata([10, 20, 20, 30]).tolist() == [1.0, 2.5, 2.5, 4.0]
    assert pearson([1, 2, 3], [1, 2, 4], resamples=100).r == pytest.approx(3 / np.sqrt(2 * 42 / 9))
    rho = spearman([1, 2, 3, 4, 5], [2, 4, 8, 16, 32], resamples=100)
    assert rho.r == pytest.approx(1.0) and rho.n == 5
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1], resamples=100).r == pytest.approx(-1.0)
    constant = spearman([1, 1, 1], [1, 2, 3], resamples=100)
    assert np.isnan(constant.r)
