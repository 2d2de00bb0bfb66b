"""The portfolio: pooled numbers against metafor and against stats on the export, moderators,
what is not estimable, anonymity, and selecting interventions."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sqlalchemy import Engine
from support import SAMPLE

from kirkpatrick import stats
from kirkpatrick.demo import portfolio as portfolio_demo
from kirkpatrick.domain.vocab import Format, Level, TransferFactor
from kirkpatrick.services import portfolio, records
from kirkpatrick.services.analysis import LevelEffect
from kirkpatrick.services.portfolio import InterventionInfo, PortfolioFilters, assemble
from kirkpatrick.storage import db

# A fixed export: `portfolio_demo.write_sample(folder, count=12)` (seed 20240917) loaded into an
# empty database with the sample catalogue, then `kirkpatrick portfolio export`, behaviour rows.
# Columns: code, yi, vi, n, needs_analysis, spacing_days.
BEHAVIOUR = [
    ("PF-012", 0.9244570519449553, 0.04652758075299928, 29, 1, 13.8),
    ("PF-011", 0.703404358198984, 0.047672628994478175, 26, 1, 26.25),
    ("PF-003", 0.6412529811502794, 0.04718224874218177, 13, 1, 26.666666666666668),
    ("PF-001", 1.0668433398072885, 0.03924328862526857, 33, 1, 38.666666666666664),
    ("PF-006", 0.7693189699846753, 0.052733824344883655, 22, 1, 24.09090909090909),
    ("PF-010", 0.496757431335599, 0.02282909187138908, 37, 0, 34.81818181818182),
    ("PF-005", 0.663006782629509, 0.05814215050634468, 18, 0, 31.8),
    ("PF-009", 0.3020999114986296, 0.01813090899784865, 33, 0, 38.0),
    ("PF-002", 0.9791794193410812, 0.054803601091399, 27, 1, 34.77777777777778),
    ("PF-008", 0.8020268524208424, 0.11224702607627869, 10, 1, 26.2),
    ("PF-004", 0.6127275344286498, 0.03131963147937157, 27, 1, 12.0),
    ("PF-007", 0.7047258369460152, 0.04033945048214636, 27, 0, 41.333333333333336),
]


def info(
    code: str,
    *,
    factors: dict[TransferFactor, bool | None] | None = None,
    spacing: float = math.nan,
    client: str = "Ekbacka kommun",
) -> InterventionInfo:
    flags: dict[TransferFactor, bool | None] = {f: False for f in TransferFactor}
    flags.update(factors or {})
    return InterventionInfo(
        code,
        f"Insats {code}",
        client,
        "Karin Ljungdahl",
        Format.GROUP_COACHING,
        dt.date(2024, 1, 1),
        dt.date(2024, 6, 1),
        flags,
        0 if math.isnan(spacing) else 5,
        spacing,
    )


def fixed_portfolio() -> portfolio.Portfolio:
    infos = [
        info(c, factors={TransferFactor.NEEDS_ANALYSIS: bool(na), TransferFactor.PRACTICE_FEEDBACK: True}, spacing=sp)
        for c, _, _, _, na, sp in BEHAVIOUR
    ]
    heads = [LevelEffect(c, Level.BEHAVIOUR, "smcr", y, v, n, 2) for c, y, v, n, _, _ in BEHAVIOUR]
    return assemble(infos, heads)


def test_pooled_behaviour_matches_metafor() -> None:
    # R 4.x, metafor 3.8-1 (threshold tightened to match stats' REML convergence, 1e-10):
    # > b <- subset(read.csv("effects.csv"), level == "behaviour")
    # > r <- rma(yi, vi, data = b, method = "REML", test = "knha", control = list(threshold = 1e-10))
    # > print(r, digits = 8); predict(r)
    # tau^2: 0.02394841  I^2: 37.60%  H^2: 1.60  Q(df = 11) = 16.37901295, p-val = 0.12763316
    #   estimate          se         tval  df        pval       ci.lb       ci.ub
    # 0.68710991  0.06625344  10.37093172  11  0.00000051  0.54128707  0.83293275
    #       pred         se      ci.lb      ci.ub      pi.lb      pi.ub
    # 0.68710991 0.06625344 0.54128707 0.83293275 0.31659886 1.05762096
    pool = fixed_portfolio().level(Level.BEHAVIOUR)
    r = pool.pooled
    assert pool.k == 12 and r.knha and r.method == "REML"
    # The prediction interval uses t on k - 2 df (Higgins et al. 2009), not predict()'s k - 1 under knha:
    # > h <- qt(.975, r$k - 2) * sqrt(r$se^2 + r$tau2); c(r$b - h, r$b + h)   -> 0.31202784 1.06219198
    assert_allclose(
        [r.estimate, r.se, r.statistic, r.ci_low, r.ci_high, r.pi_low, r.pi_high],
        [0.68710991, 0.06625344, 10.37093172, 0.54128707, 0.83293275, 0.31202784, 1.06219198],
        rtol=1e-6,
    )
    assert_allclose([r.tau2, r.Q, r.Q_p, r.I2], [0.02394841, 16.37901295, 0.12763316, 37.60], rtol=1e-4)
    assert pool.n == sum(row[3] for row in BEHAVIOUR)
    # Lacerenza et al. (2017), transfer: .82, inside the CI [.541, .833].
    assert pool.benchmark.estimate == 0.82 and pool.comparison == "consistent"


def test_spacing_moderator_matches_metafor() -> None:
    # > s <- rma(yi, vi, mods = ~ spacing_days, data = b, method = "REML", test = "knha",
    # +          control = list(threshold = 1e-10))
    # tau^2 (residual): 0.02681577; F(df1 = 1, df2 = 10) = 0.24234789, p-val = 0.63314358
    #                  estimate          se         tval  df        pval        ci.lb     ci.ub
    # intrcpt        0.79533643  0.22667191   3.50875600  10  0.00564337   0.29027994 1.30039293
    # spacing_days  -0.00359625  0.00730516  -0.49228842  10  0.63314358  -0.01987316 0.01268067
    reg = next(s for s in fixed_portfolio().spacing if s.level == Level.BEHAVIOUR)
    assert reg.reason is None and reg.result is not None and reg.k == 12
    res = reg.result
    assert_allclose(res.coef, [0.79533643, -0.00359625], rtol=1e-6)
    assert_allclose(res.se, [0.22667191, 0.00730516], rtol=1e-6)
    assert_allclose(res.ci_low, [0.29027994, -0.01987316], rtol=1e-6)
    assert_allclose([res.tau2, res.QM, res.QM_p], [0.02681577, 0.24234789, 0.63314358], rtol=1e-5)


def test_factor_subgroups_match_metafor() -> None:
    # > ctl <- list(threshold = 1e-10)
    # > u <- rma(yi, vi, data = subset(b, needs_analysis == 1), method = "REML", control = ctl)
    # > n <- rma(yi, vi, data = subset(b, needs_analysis == 0), method = "REML", control = ctl)
    # > c(u$b, u$se, n$b, n$se)
    # [1] 0.80484579397 0.07733755076 0.49178704406 0.09798877275
    # > rma(c(u$b, n$b), sei = c(u$se, n$se), method = "FE")$QE
    # [1] 6.289317386
    f = next(x for x in fixed_portfolio().factors_at(Level.BEHAVIOUR) if x.factor == TransferFactor.NEEDS_ANALYSIS)
    assert (f.k_used, f.k_not_used, f.k_unrecorded) == (8, 4, 0) and f.reason is None
    assert f.used is not None and f.not_used is not None
    assert_allclose(
        [f.used.estimate, f.used.se, f.not_used.estimate, f.not_used.se],
        [0.80484579397, 0.07733755076, 0.49178704406, 0.09798877275],
        rtol=1e-6,
    )
    assert_allclose(f.Q_between, 6.289317386, rtol=1e-6)
    diff = 0.80484579397 - 0.49178704406
    half = 1.959963984540054 * math.hypot(0.07733755076, 0.09798877275)
    assert_allclose([f.difference, f.ci_low, f.ci_high], [diff, diff - half, diff + half], rtol=1e-6)
    # For two groups the Wald z test of the difference is the between-groups Q test.
    assert_allclose(f.p, math.erfc(math.sqrt(6.289317386) / math.sqrt(2)), rtol=1e-6)


def test_factor_used_by_every_intervention_is_not_estimable() -> None:
    p = fixed_portfolio()
    f = next(x for x in p.factors_at(Level.BEHAVIOUR) if x.factor == TransferFactor.PRACTICE_FEEDBACK)
    assert f.reason == "not estimable: used by all 12 interventions"
    assert math.isnan(f.difference) and math.isnan(f.ci_low) and math.isnan(f.p)
    assert f.to_dict()["difference"] is None
    none = next(x for x in p.factors_at(Level.BEHAVIOUR) if x.factor == TransferFactor.PEER_SUPPORT)
    assert none.reason == "not estimable: used by none of the 12 interventions"
    # Nor do constant factors enter the meta-regression.
    reg = next(r for r in p.regressions if r.level == Level.BEHAVIOUR)
    assert reg.left_out["practice_feedback"] == "used by all" and "practice_feedback" not in reg.moderators


def test_one_intervention_on_one_side_is_not_estimable() -> None:
    infos = [info(c, factors={TransferFactor.PEER_SUPPORT: c == "PF-001"}) for c, *_ in BEHAVIOUR]
    heads = [LevelEffect(c, Level.BEHAVIOUR, "smcr", y, v, n, 1) for c, y, v, n, _, _ in BEHAVIOUR]
    f = next(x for x in assemble(infos, heads).factors_at(Level.BEHAVIOUR) if x.factor == TransferFactor.PEER_SUPPORT)
    assert f.reason == "not estimable: only 1 intervention used it" and math.isnan(f.difference)


def test_meta_regression_needs_ten_interventions_per_moderator() -> None:
    infos = [
        info(
            c,
            factors={
                TransferFactor.NEEDS_ANALYSIS: bool(na),
                TransferFactor.PEER_SUPPORT: i % 2 == 0,
                TransferFactor.SUPERVISOR_SUPPORT: i % 3 == 0,
            },
        )
        for i, (c, _, _, _, na, _) in enumerate(BEHAVIOUR)
    ]
    heads = [LevelEffect(c, Level.BEHAVIOUR, "smcr", y, v, n, 1) for c, y, v, n, _, _ in BEHAVIOUR]
    reg = next(r for r in assemble(infos, heads).regressions if r.level == Level.BEHAVIOUR)
    assert reg.result is None
    assert reg.reason == "not estimable: too few interventions (k=12 for 3 moderators; need 30)"
    assert reg.to_dict()["result"] is None


def test_meta_regression_runs_with_enough_interventions() -> None:
    rng = np.random.default_rng(7)
    k = 60
    flags = rng.random((k, 3)) < 0.5
    factors = (TransferFactor.NEEDS_ANALYSIS, TransferFactor.PEER_SUPPORT, TransferFactor.SUPERVISOR_SUPPORT)
    infos = [info(f"X{i}", factors={f: bool(flags[i, j]) for j, f in enumerate(factors)}) for i in range(k)]
    vi = rng.uniform(0.02, 0.08, k)
    yi = 0.3 + flags @ np.array([0.2, 0.1, 0.0]) + rng.normal(0, np.sqrt(vi))
    heads = [LevelEffect(f"X{i}", Level.LEARNING, "smcr", float(yi[i]), float(vi[i]), 20, 1) for i in range(k)]
    reg = next(r for r in assemble(infos, heads).regressions if r.level == Level.LEARNING)
    assert reg.reason is None and reg.moderators == [f.value for f in factors]
    expected = stats.meta_regression(yi, vi, flags.astype(float), knha=True)
    assert_allclose(reg.result.coef, expected.coef)  # type: ignore[union-attr]
    # Four factors never used are left out, with the reason.
    assert set(reg.left_out) == {f.value for f in TransferFactor} - {f.value for f in factors}


def test_too_few_interventions_for_spacing() -> None:
    infos = [info(c, spacing=sp if i < 6 else math.nan) for i, (c, _, _, _, _, sp) in enumerate(BEHAVIOUR)]
    heads = [LevelEffect(c, Level.BEHAVIOUR, "smcr", y, v, n, 1) for c, y, v, n, _, _ in BEHAVIOUR]
    reg = next(s for s in assemble(infos, heads).spacing if s.level == Level.BEHAVIOUR)
    assert reg.result is None and reg.k == 6
    assert reg.reason == "not estimable: too few interventions (k=6 for 1 moderator; need 10)"
    assert reg.left_out == {"spacing_days": "6 interventions with fewer than 2 sessions"}


def test_small_groups_are_suppressed_and_post_only_levels_counted() -> None:
    infos = [info(c) for c, *_ in BEHAVIOUR[:4]]
    heads = [LevelEffect(c, Level.BEHAVIOUR, "smcr", y, v, n, 1) for c, y, v, n, _, _ in BEHAVIOUR[:3]]
    heads.append(LevelEffect("PF-001", Level.BEHAVIOUR, "smcr", 0.5, 0.2, 4, 1))
    heads.append(LevelEffect("PF-001", Level.REACTION, "pomp", math.nan, math.nan, 30, 1))
    p = assemble(infos, heads, min_group=5)
    assert [e.code for e in p.effects_at(Level.BEHAVIOUR)] == ["PF-012", "PF-011", "PF-003"]
    assert p.level(Level.BEHAVIOUR).suppressed == 1
    assert p.level(Level.REACTION).post_only == 1 and p.level(Level.REACTION).k == 0
    assert "PF-001" not in {row["code"] for row in p.export_rows()}
    assert p.level(Level.REACTION).comparison == "none"


def test_no_interventions_gives_empty_portfolio() -> None:
    p = assemble([], [])
    assert all(lv.k == 0 and math.isnan(lv.pooled.estimate) for lv in p.levels)
    assert p.to_dict()["levels"][0]["pooled"]["estimate"] is None


def test_bad_period_is_an_error() -> None:
    from kirkpatrick.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="--until 2024-01-01 is before --since 2024-06-01"):
        PortfolioFilters(since=dt.date(2024, 6, 1), until=dt.date(2024, 1, 1))


# ------------------------------------------------------------------ with a database


def load(engine: Engine, tmp_path: Path, count: int = 12) -> None:
    with db.transaction(engine) as s:
        records.import_measures(s, SAMPLE / "measures.csv")
    portfolio_demo.load_sample(engine, *portfolio_demo.write_sample(tmp_path / "sample", count=count))


def test_export_repooled_with_stats_gives_the_report_numbers(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path)
    with db.reading(engine) as s:
        p = portfolio.build(s)
    out = io.StringIO()
    assert portfolio.write_export(p, out) == len(p.effects)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ["code", "level", "yi", "vi", "n", *(f.value for f in TransferFactor), "spacing_days"]
    for level in Level:
        sel = [r for r in rows if r["level"] == level.value]
        if len(sel) < 2:
            continue
        again = stats.random_effects(
            [float(r["yi"]) for r in sel], [float(r["vi"]) for r in sel], method="REML", knha=True
        )
        assert again == p.level(level).pooled
    # The fixed export above is what this database gives (so the metafor reference is real).
    behaviour = {r["code"]: r for r in rows if r["level"] == "behaviour"}
    for code, yi, vi, n, na, spacing in BEHAVIOUR:
        assert_allclose([float(behaviour[code]["yi"]), float(behaviour[code]["vi"])], [yi, vi], rtol=1e-12)
        assert (int(behaviour[code]["n"]), int(behaviour[code]["needs_analysis"])) == (n, na)
        assert_allclose(float(behaviour[code]["spacing_days"]), spacing)


def test_filters_select_interventions(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, count=8)
    with db.reading(engine) as s:
        everyone = portfolio.select_interventions(s, PortfolioFilters())
        client = everyone[0].client
        mine = portfolio.build(s, PortfolioFilters(client=client))
        since = portfolio.select_interventions(s, PortfolioFilters(since=dt.date(2023, 6, 1)))
        until = portfolio.select_interventions(s, PortfolioFilters(until=dt.date(2023, 6, 1)))
        coaching = portfolio.select_interventions(s, PortfolioFilters(format=Format.INDIVIDUAL_COACHING))
    assert len(everyone) == 8
    assert {i.client for i in mine.interventions} == {client}
    assert {e.code for e in mine.effects} <= {i.code for i in mine.interventions}
    assert all(i.start >= dt.date(2023, 6, 1) for i in since)
    assert all(i.end <= dt.date(2023, 6, 1) for i in until)
    assert {i.code for i in since} | {i.code for i in until} <= {i.code for i in everyone}
    assert all(i.format == Format.INDIVIDUAL_COACHING for i in coaching)
    # Spacing is the mean gap between consecutive sessions, from the logged dates.
    generated = {row["code"]: row for row in portfolio_demo.generate(count=8).interventions}
    for i in everyone:
        dates = [dt.date.fromisoformat(d) for d in generated[i.code]["sessions"].split()]
        gaps = [(b - a).days for a, b in zip(dates, dates[1:])]
        assert i.sessions == len(dates)
        assert (math.isnan(i.spacing_days) and not gaps) or i.spacing_days == pytest.approx(np.mean(gaps))
