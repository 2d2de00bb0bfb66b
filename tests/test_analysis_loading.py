"""The analysis reads values packed per intervention (SQLite group_concat, PostgreSQL string_agg); the
plain row-per-value path for other backends must give the very same analysis."""

from __future__ import annotations

import numpy as np
import pytest
from report_fixtures import add_intervention, rng_pairs
from sqlalchemy import Engine

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
    """``measurement`` has no index by intervention (0012): the read goes through the
    intervention's participants and the unique key, so a small intervention in a big database
    reads its own rows only. The plan of the very statement the analysis runs says so."""
    from sqlalchemy import event, text

    add_intervention(engine, "A", {("lf", "pre", "self"): rng_pairs(1, 12)[0]}, n=12)
    seen: list[tuple[str, object]] = []

    def keep(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        if "FROM measurement" in statement and ("group_concat" in statement or "string_agg" in statement):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with db.reading(engine) as s:
            analysis.analyse(s, "A", use_cache=False)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert len(seen) == 1
    statement, parameters = seen[0]
    with engine.connect() as c:
        if engine.dialect.name == "sqlite":
            plan = " / ".join(row[3] for row in c.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            assert "SEARCH measurement USING" in plan and "(participant_id=?)" in plan, plan
            assert "SCAN measurement" not in plan, plan
        else:
            c.execute(text("SET enable_seqscan = off"))  # a tiny table: ask whether an index serves at all
            plan = " / ".join(row[0] for row in c.exec_driver_sql(f"EXPLAIN {statement}", parameters))
            assert "uq_measurement_participant_id_measure_id_wave_rater" in plan, plan
