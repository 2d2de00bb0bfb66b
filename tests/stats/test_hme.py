"""SKR's HME index from its nine items: (x - 1) x 25 per answer, sub-indices and the total as means."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from kirkpatrick.stats.hme import HME_ITEMS, HME_SUBINDICES, hme_index, item_to_index


def test_items_map_to_zero_hundred():
    assert_allclose(item_to_index([1, 2, 3, 4, 5]), [0, 25, 50, 75, 100])
    with pytest.raises(ValueError, match="must be 1-5"):
        item_to_index([0, 3])


def test_index_from_complete_answers():
    answers = np.array([
        [5, 4, 4, 3, 5, 4, 4, 3, 5],
        [4, 4, 3, 2, 4, 4, 5, 3, 4],
        [3, 5, 4, 4, 5, 5, 4, 2, 5],
    ])  # fmt: skip
    r = hme_index(answers)
    assert (r.n_respondents, r.n_complete, r.reason) == (3, 3, None)
    idx = (answers - 1) * 25
    assert r.items["hme_motivation_1"] == pytest.approx(idx[:, 0].mean())  # (100 + 75 + 50) / 3 = 75
    assert r.motivation == pytest.approx(idx[:, 0:3].mean())
    assert r.leadership == pytest.approx(idx[:, 3:6].mean())
    assert r.governance == pytest.approx(idx[:, 6:9].mean())
    assert r.total == pytest.approx(idx.mean())  # the mean of respondents' own totals, too, when complete
    assert r.total == pytest.approx(np.mean([r.motivation, r.leadership, r.governance]))


def test_partial_answers_and_mapping_input():
    data = {code: [4.0, math.nan] for code in HME_ITEMS}
    data["hme_leadership_2"] = [2.0, 5.0]
    r = hme_index(data)
    assert (r.n_respondents, r.n_complete) == (2, 1)
    assert r.item_n["hme_leadership_2"] == 2 and r.items["hme_leadership_2"] == pytest.approx(62.5)
    assert r.leadership == pytest.approx((75 + 62.5 + 75) / 3)
    assert list(HME_SUBINDICES) == ["motivation", "leadership", "governance"]


def test_statement_without_answers_gives_nan_and_reason():
    a = np.full((2, 9), 4.0)
    a[:, 8] = np.nan
    r = hme_index(a)
    assert math.isnan(r.governance) and math.isnan(r.total) and r.motivation == 75
    assert r.reason == "no answers to hme_governance_3"
    with pytest.raises(ValueError, match="nine columns"):
        hme_index(np.ones((2, 8)))
