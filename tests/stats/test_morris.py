"""Morris (2008), Table 5: d_ppc2 for the five training studies of Carlson and Schmidt (1999).

The paper gives summary statistics only, so each study's pre and post scores are built here with
exactly those means, SDs and pre-post correlation; d_ppc2 depends on the data only through them.

Published values (Morris 2008, Table 5, column d_ppc2): 0.77, 0.80, 1.20, 1.05, 0.44.
Reproduced with the formulas on metafor's page "analyses:morris2008" (R 4.2.2):
    sd_pool <- sqrt(((nT-1)*sdT_pre^2 + (nC-1)*sdC_pre^2) / (nT + nC - 2))
    cp <- 1 - 3/(4*(nT + nC - 2) - 1)
    cp * ((mT_post - mT_pre) - (mC_post - mC_pre)) / sd_pool
    [1] 0.7684649335 0.8009899898 1.2046772039 1.0477245746 0.4389556538
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from kirkpatrick.stats import pre_post_control

T = dict(
    m_pre=[30.6, 23.5, 0.5, 53.4, 35.6],
    m_post=[38.5, 26.8, 0.7, 75.9, 36.0],
    sd_pre=[15.0, 3.1, 0.1, 14.5, 4.7],
    sd_post=[11.6, 4.1, 0.1, 4.4, 4.6],
    n=[20, 50, 9, 10, 14],
    r=[0.47, 0.64, 0.77, 0.89, 0.44],
)
C = dict(
    m_pre=[23.1, 24.9, 0.6, 55.7, 34.8],
    m_post=[19.7, 25.3, 0.6, 60.7, 33.4],
    sd_pre=[13.8, 4.1, 0.2, 17.3, 3.1],
    sd_post=[14.8, 3.3, 0.2, 17.9, 6.9],
    n=[20, 42, 9, 11, 14],
    r=[0.47, 0.64, 0.77, 0.89, 0.44],
)
PUBLISHED = [0.77, 0.80, 1.20, 1.05, 0.44]
R_EXACT = [0.7684649335, 0.8009899898, 1.2046772039, 1.0477245746, 0.4389556538]


def _with_moments(
    n: int, m_pre: float, m_post: float, sd_pre: float, sd_post: float, r: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pre and post scores whose sample means, SDs (n-1) and correlation are exactly as given."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, n))
    a = (a - a.mean()) / a.std(ddof=1)
    b = b - b.mean()
    b = b - (a @ b) / (a @ a) * a  # orthogonal to a, so the correlation is set by r alone
    b = b / b.std(ddof=1)
    y = r * a + np.sqrt(1 - r**2) * b
    return m_pre + sd_pre * a, m_post + sd_post * y


@pytest.mark.parametrize("study", range(5))
def test_d_ppc2_matches_morris_table_5(study: int) -> None:
    t_pre, t_post = _with_moments(
        *(T[k][study] for k in ("n", "m_pre", "m_post", "sd_pre", "sd_post", "r")), seed=study
    )
    c_pre, c_post = _with_moments(
        *(C[k][study] for k in ("n", "m_pre", "m_post", "sd_pre", "sd_post", "r")), seed=10 + study
    )
    assert_allclose(np.corrcoef(t_pre, t_post)[0, 1], T["r"][study])  # the construction holds
    result = pre_post_control(t_pre, t_post, c_pre, c_post)
    assert_allclose(result.d_ppc2.estimate, R_EXACT[study], rtol=1e-9)
    assert round(result.d_ppc2.estimate, 2) == PUBLISHED[study]
    low, high = result.d_ppc2.ci_low, result.d_ppc2.ci_high
    assert low < result.d_ppc2.estimate < high
