"""The analysis reads values packed per intervention (SQLite group_concat, PostgreSQL string_agg); the
plain row-per-value path for other backends must give the very same analysis."""

from __future__ import annotations

import numpy as np
import pytest
from report_fixtures import add_intervention, rng_pairs
from sqlalchemy import Engine, select

from kirkpatrick.services import analysis
from kirkpatrick.storage import db


def test_packed_and_plain_loading_agree(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    pre, post = rng_pairs(1, 12)
    pre[3] = 3.3333333333333335  # a reverse-scored item mean: many digits
    s_pre, s_post = rng_pairs(2, 12, mean=7, shift=-1, sd=2, lo=0, hi=100)
    add_intervention(
        engine,
        "A",
        {
            ("lf", "pre", "self"): pre,
            ("lf", "post", "self"): post[:10] + [None, None],
            ("lf", "pre", "manager"): post,
            ("sick", "pre", "org"): s_pre,
            ("sick", "post", "org"): s_post,
        },
        n=12,
    )
    add_intervention(engine, "B", {("lf", "pre", "self"): post, ("lf", "post", "self"): pre}, n=12)
    with db.reading(engine) as s:
        packed = analysis.analyse(s, "A", use_cache=False).to_dict()
        packed_heads = [e.to_dict() for e in analysis.headline_effects(s, use_cache=False)]
    monkeypatch.setattr(engine.dialect, "name", "some_other_backend")
    with db.reading(engine) as s:
        plain = analysis.analyse(s, "A", use_cache=False).to_dict()
        plain_heads = [e.to_dict() for e in analysis.headline_effects(s, use_cache=False)]
    assert len(packed_heads) >= 2 and any(np.isfinite(h["yi"] or np.nan) for h in packed_heads)

    def close(a: object, b: object) -> None:
        if isinstance(a, float) and isinstance(b, float):
            assert a == pytest.approx(b, rel=1e-9, abs=1e-9)
        elif isinstance(a, dict) and isinstance(b, dict):
            assert a.keys() == b.keys()
            for k in a:
                close(a[k], b[k])
        elif isinstance(a, list) and isinstance(b, list):
            assert len(a) == len(b)
            for x, y in zip(a, b):
                close(x, y)
        else:
            assert a == b

    # SQLite packs REALs with 15 significant digits: numbers agree to 1e-9 (CI root finding amplifies the last digits).
    close(packed, plain)
    close(packed_heads, plain_heads)


def test_one_intervention_is_read_through_its_participants_not_the_whole_table(engine: Engine) -> None:
    """``measurement`` has no index by intervention (0012): a small intervention is read through
    its participants and the unique key, so it reads its own rows only; one with most of the
    participants is read in one pass over the table. The plans of the very statements the
    analysis runs say so."""
    from sqlalchemy import event, text

    add_intervention(engine, "A", {("lf", "pre", "self"): rng_pairs(1, 12)[0]}, n=12)
    add_intervention(engine, "B", {("lf", "pre", "self"): rng_pairs(2, 40)[0]}, n=40)  # most of the people

    def statement_of(code: str) -> tuple[str, object]:
        seen: list[tuple[str, object]] = []

        def keep(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
            if "FROM measurement" in statement and ("group_concat" in statement or "string_agg" in statement):
                seen.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", keep)
        try:
            with db.reading(engine) as s:
                analysis.analyse(s, code, use_cache=False)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        assert len(seen) == 1
        return seen[0]

    with engine.connect() as c:
        if engine.dialect.name == "sqlite":

            def plan(code: str) -> str:
                statement, parameters = statement_of(code)
                return " / ".join(r[3] for r in c.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))

            small, big = plan("A"), plan("B")
            assert "SEARCH measurement USING" in small and "(participant_id=?)" in small, small
            assert "SCAN measurement" not in small, small
            assert "SCAN measurement" in big, big
        else:
            statement, parameters = statement_of("A")
            c.execute(text("SET enable_seqscan = off"))  # a tiny table: ask whether an index serves at all
            plan_ = " / ".join(r[0] for r in c.exec_driver_sql(f"EXPLAIN {statement}", parameters))
            assert "uq_measurement_participant_id_measure_id_wave_rater" in plan_, plan_


def test_sqlite_key_tells_every_rater_and_wave_apart() -> None:
    """SQLite's packed key carries a rater as its first letter and a wave as its length."""
    from kirkpatrick.domain.vocab import Rater, Wave

    assert len({r.value[0] for r in Rater}) == len(Rater) and all(ord(r.value[0]) < 256 for r in Rater)
    assert len({len(w.value) for w in Wave}) == len(Wave) and all(len(w.value) < 16 for w in Wave)


def test_one_pass_over_many_interventions_gives_the_cells_read_one_by_one(engine: Engine) -> None:
    from kirkpatrick.services.analysis.loading import FEW_INTERVENTIONS, measurement_rows
    from kirkpatrick.storage.models import Intervention

    pre, post = rng_pairs(3, 8)
    add_intervention(engine, "A", {("lf", "pre", "self"): pre, ("lf", "post", "manager"): post}, n=8)
    add_intervention(engine, "B", {("lf", "post", "self"): post, ("sick", "pre", "org"): pre}, n=8)
    with engine.connect() as c:
        ids = sorted(c.scalars(select(Intervention.id)))
        one_by_one = [cell for iv in ids for cell in measurement_rows(c, [iv])]
        together = measurement_rows(c, None)
        many = measurement_rows(c, ids + list(range(10_000, 10_000 + FEW_INTERVENTIONS)))  # past the few
    assert len(one_by_one) == 4

    def plain(cells: list) -> list:
        return [(x.iv, x.m, x.r, x.w, dict(zip(x.p.tolist(), x.v.tolist()))) for x in cells]

    assert plain(together) == plain(many) == plain(one_by_one)
    values = sorted(v for x in one_by_one for v in x.v.tolist())
    assert values == sorted(pre + post + post + pre)
