"""The batched SMCR equals the one-group function (itself checked against metafor's escalc) row
by row, edge cases included."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from kirkpatrick.stats import standardized_mean_change, standardized_mean_change_many

FIELDS = ("n", "n_dropped", "mean_pre", "mean_post", "sd_pre", "r", "yi", "vi", "ci_low", "ci_high", "reason")


def _same(a: object, b: object) -> None:
    for field in FIELDS:
        x, y = getattr(a, field), getattr(b, field)
        if isinstance(x, float) and isinstance(y, float) and not (math.isnan(x) and math.isnan(y)):
            assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=field)
        elif isinstance(x, float) and math.isnan(x):
            assert isinstance(y, float) and math.isnan(y), field
        else:
            assert x == y, field


def test_rows_equal_the_single_group_function_with_edge_cases() -> None:
    rng = np.random.default_rng(7)
    pre = rng.normal(3, 0.7, (8, 12))
    post = pre + rng.normal(0.4, 0.5, (8, 12))
    pre[1, 4:] = np.nan  # a shorter group (padding)
    post[2, ::3] = np.nan  # missing post values
    pre[3, :] = 3.0  # zero variance at pre
    pre[4, 2:] = np.nan  # n = 2: correction undefined
    pre[5, 1:] = np.nan  # n = 1
    post[6, :] = 4.0  # zero variance at post
    pre[7, :] = np.nan  # nothing
    batch = standardized_mean_change_many(pre, post)
    for i in range(8):
        _same(batch[i], standardized_mean_change(pre[i], post[i]))
    assert [b.reason for b in batch[3:]] == [
        "zero variance at pre",
        "n < 3: correction undefined",
        "n < 2",
        "zero variance at post: r undefined",
        "n < 2",
    ]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 30), st.floats(0, 0.5))
def test_random_batches(seed: int, groups: int, n: int, missing: float) -> None:
    rng = np.random.default_rng(seed)
    pre = np.round(rng.normal(3, 1, (groups, n)), 1)
    post = np.round(pre + rng.normal(0.3, 0.8, (groups, n)), 1)
    pre[rng.random((groups, n)) < missing] = np.nan
    post[rng.random((groups, n)) < missing] = np.nan
    for got, row_pre, row_post in zip(standardized_mean_change_many(pre, post), pre, post, strict=True):
        _same(got, standardized_mean_change(row_pre, row_post))
