"""Analysis numbers against kirkpatrick.stats (and scipy) on hand-built arrays, on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from report_fixtures import add_intervention, rng_pairs
from scipy import stats as sps

from kirkpatrick import stats
from kirkpatrick.domain.errors import NotFound
from kirkpatrick.domain.vocab import Level, Rater, Wave
from kirkpatrick.services import analysis
from kirkpatrick.storage import db

N = 12


@pytest.fixture
def filled(engine):
    lf_self = rng_pairs(1, N)
    lf_mgr = rng_pairs(2, N, shift=0.2)
    sick = rng_pairs(3, N, mean=8, shift=-1.5, sd=2, lo=0, hi=100)
    recommend = [10, 9, 9, 8, 7, 10, 6, 9, 10, 3, 9, 8]
    # the last manager rating at post is missing: a dropped pair
    mgr_post = lf_mgr[1][:-1] + [None]
    cells = {
        ("lf", "pre", "self"): lf_self[0],
        ("lf", "post", "self"): lf_self[1],
        ("lf", "pre", "manager"): lf_mgr[0],
        ("lf", "post", "manager"): mgr_post,
        ("sick", "pre", "org"): sick[0],
        ("sick", "post", "org"): sick[1],
        ("recommend", "post", "self"): recommend,
    }
    add_intervention(engine, "T-1", cells, n=N)
    return {"lf_self": lf_self, "lf_mgr": (lf_mgr[0], mgr_post), "sick": sick, "recommend": recommend}


def _analyse(engine, code="T-1", **kw):
    with db.reading(engine) as s:
        return analysis.analyse(s, code, **kw)


def _change(a, measure, rater, wave_to=Wave.POST):
    return next(
        c
        for lv in a.levels
        for c in lv.changes
        if c.measure.code == measure and c.rater == rater and c.wave_to == wave_to
    )


def test_paired_numbers_match_stats(engine, filled):
    a = _analyse(engine)
    c = _change(a, "lf", Rater.SELF)
    pre, post = filled["lf_self"]
    expected = stats.paired(pre, post)
    assert c.paired.n == N
    assert_allclose(
        [c.paired.mean_diff, c.paired.t, c.paired.p, c.paired.d_z.estimate, c.paired.d_av.estimate],
        [expected.mean_diff, expected.t, expected.p, expected.d_z.estimate, expected.d_av.estimate],
        rtol=1e-12,
    )
    # and independently of our stats package: scipy's paired t-test
    assert_allclose(c.paired.p, sps.ttest_rel(post, pre).pvalue, rtol=1e-10)
    smcr = stats.standardized_mean_change(pre, post)
    assert_allclose([c.effect.estimate, c.effect.variance], [smcr.yi, smcr.vi], rtol=1e-12)


def test_missing_value_drops_the_pair(engine, filled):
    c = _change(_analyse(engine), "lf", Rater.MANAGER)
    pre, post = filled["lf_mgr"]
    assert c.paired.n == N - 1 and c.n_from == N and c.n_to == N - 1
    x = np.array(pre[:-1])
    y = np.array(post[:-1], dtype=float)
    assert_allclose(c.paired.mean_diff, (y - x).mean(), rtol=1e-12)


def test_lower_is_better_is_flipped(engine, filled):
    c = _change(_analyse(engine), "sick", Rater.ORG)
    pre, post = filled["sick"]
    assert np.mean(post) < np.mean(pre)  # sick leave went down ...
    assert c.paired.mean_diff < 0  # ... the raw change says so ...
    raw = stats.standardized_mean_change(pre, post)
    assert c.effect.estimate == pytest.approx(-raw.yi) and c.effect.estimate > 0  # ... and the effect is an improvement
    assert c.effect.ci_low == pytest.approx(-raw.ci_high) and c.effect.ci_high == pytest.approx(-raw.ci_low)


def test_headline_is_composite_of_level_effects(engine, filled):
    a = _analyse(engine)
    h = a.level(Level.BEHAVIOUR).headline
    effects = [
        stats.standardized_mean_change(*filled["lf_self"]),
        stats.standardized_mean_change(np.array(filled["lf_mgr"][0]), np.array(filled["lf_mgr"][1], dtype=float)),
    ]
    yi = np.mean([e.yi for e in effects])
    vi = np.mean([math.sqrt(e.vi) for e in effects]) ** 2
    assert h.kind == "smcr" and h.k == 2
    assert_allclose([h.estimate, h.vi], [yi, vi], rtol=1e-12)
    assert_allclose([h.ci_low, h.ci_high], [yi - 1.959964 * math.sqrt(vi), yi + 1.959964 * math.sqrt(vi)], rtol=1e-6)
    assert h.benchmark.estimate == 0.82


def test_post_only_reaction_gets_nps_and_pomp(engine, filled):
    a = _analyse(engine)
    lv = a.level(Level.REACTION)
    (d,) = lv.descriptives
    rec = np.array(filled["recommend"], dtype=float)
    assert d.nps is not None and d.nps.nps == pytest.approx(100 * (np.mean(rec >= 9) - np.mean(rec <= 6)))
    assert d.mean == pytest.approx(rec.mean())
    half = sps.t.ppf(0.975, N - 1) * rec.std(ddof=1) / math.sqrt(N)
    assert (d.ci_low, d.ci_high) == pytest.approx((rec.mean() - half, rec.mean() + half))
    assert d.pomp == pytest.approx(rec.mean() * 10)
    assert lv.headline.kind == "pomp" and math.isnan(lv.headline.yi)


def test_reliable_change_counts(engine, filled):
    c = _change(_analyse(engine), "lf", Rater.SELF)
    expected = stats.reliable_change(*filled["lf_self"], 0.88)
    assert c.reliable is not None
    assert (c.reliable.improved, c.reliable.unchanged, c.reliable.deteriorated) == (
        expected.improved,
        expected.unchanged,
        expected.deteriorated,
    )
    assert "rci" not in c.to_dict()["reliable_change"]  # no per-participant figures in output


def test_control_group_effect(engine):
    t = rng_pairs(5, 8, shift=0.6)
    ctrl = rng_pairs(6, 6, shift=0.1)
    add_intervention(
        engine,
        "C-1",
        {("lf", "pre", "report"): t[0], ("lf", "post", "report"): t[1]},
        n=8,
        n_control=6,
        control_cells={("lf", "pre", "report"): ctrl[0], ("lf", "post", "report"): ctrl[1]},
    )
    a = _analyse(engine, "C-1")
    c = _change(a, "lf", Rater.REPORT)
    expected = stats.pre_post_control(t[0], t[1], ctrl[0], ctrl[1])
    assert c.control is not None and c.control_reportable
    assert c.control.d_ppc2.estimate == pytest.approx(expected.d_ppc2.estimate, rel=1e-12)
    assert c.paired.n == 8  # the control group never enters the paired result
    assert a.n_control == 6 and a.has_control
    assert a.level(Level.BEHAVIOUR).headline.control_k == 1


def test_anonymity_threshold_marks_rows(engine):
    four = rng_pairs(7, 4)
    five = rng_pairs(8, 5)
    cells = {
        ("lf", "pre", "manager"): four[0],
        ("lf", "post", "manager"): four[1],
        ("lf", "pre", "report"): five[0],
        ("lf", "post", "report"): five[1],
    }
    add_intervention(engine, "A-1", cells, n=5)
    a = _analyse(engine, "A-1")
    assert not _change(a, "lf", Rater.MANAGER).reportable
    assert _change(a, "lf", Rater.REPORT).reportable
    assert a.level(Level.BEHAVIOUR).headline.k == 1  # the small group stays out of the headline
    assert _change(_analyse(engine, "A-1", min_group=4), "lf", Rater.MANAGER).reportable


def test_waves_and_attrition(engine, filled):
    a = _analyse(engine)
    assert a.wave_n(Wave.PRE) == N and a.wave_n(Wave.POST) == N and a.attrition == 0


def test_headline_effects_batch_matches_analyse(engine, filled):
    add_intervention(
        engine, "T-2", {("lf", "pre", "self"): rng_pairs(9, 7)[0], ("lf", "post", "self"): rng_pairs(9, 7)[1]}, n=7
    )
    with db.reading(engine) as s:
        batch = analysis.headline_effects(s)
        single = {code: analysis.analyse(s, code) for code in ("T-1", "T-2")}
    assert {(e.code, e.level) for e in batch} == {(c, lv) for c in ("T-1", "T-2") for lv in Level}
    for e in batch:
        h = single[e.code].level(e.level).headline
        assert e.kind == h.kind and e.n == h.n and e.k == h.k
        assert (math.isnan(e.yi) and math.isnan(h.yi)) or e.yi == pytest.approx(h.yi, rel=1e-12)
        assert (math.isnan(e.vi) and math.isnan(h.vi)) or e.vi == pytest.approx(h.vi, rel=1e-12)


def test_unknown_code(engine):
    with db.reading(engine) as s, pytest.raises(NotFound, match="no intervention with code 'NOPE'"):
        analysis.analyse(s, "NOPE")
    with db.reading(engine) as s, pytest.raises(NotFound):
        analysis.headline_effects(s, ["NOPE"])


def test_intervention_without_measurements(engine):
    add_intervention(engine, "E-1", {}, n=0)
    a = _analyse(engine, "E-1")
    assert all(lv.headline.kind == "none" for lv in a.levels)
    assert math.isnan(a.attrition)
