"""The analysis cache: a cached result equals the computation from the raw rows, and no result
is served after the rows under it changed (import, erasure, deletion, restore)."""

from __future__ import annotations

import datetime as dt
import math
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from support import SAMPLE, Cli

from kirkpatrick.services import analysis
from kirkpatrick.services.analysis import loading
from kirkpatrick.storage import analysis_cache, backup, db
from kirkpatrick.storage.models import AnalysisCache, Intervention

CODES = ("NRB-LG-2024", "VBY-COACH-2024")


def _close(a: Any, b: Any, where: str = "") -> None:
    """Equal to 1e-9 (NaN equals NaN), recursively."""
    if isinstance(a, float) and isinstance(b, float):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-9), where
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def _same(cached: analysis.InterventionAnalysis, raw: analysis.InterventionAnalysis) -> None:
    _close(cached.to_dict(), raw.to_dict())
    # What to_dict leaves out: the per-participant reliable change indices and the records' types.
    for lc, lr in zip(cached.levels, raw.levels):
        assert [c.measure for c in lc.changes] == [c.measure for c in lr.changes]
        for c, r in zip(lc.changes, lr.changes):
            assert type(c.paired) is type(r.paired) and type(c.effect) is type(r.effect)
            if r.reliable is not None:
                assert c.reliable is not None
                _close(list(c.reliable.rci), list(r.reliable.rci))


def _no_raw_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the raw rows were read although the result is cached")

    monkeypatch.setattr(loading, "measurement_rows", refuse)


def _import_samples(cli: Cli) -> None:
    cli("import", str(SAMPLE / "measurements.csv"))


def _cached_rows(engine: Engine) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(AnalysisCache)).scalar_one()


def _analyse(engine: Engine, code: str, **kw: Any) -> analysis.InterventionAnalysis:
    with db.reading(engine) as s:
        return analysis.analyse(s, code, **kw)


@pytest.mark.parametrize("min_group", [1, 5])
def test_cached_analysis_equals_the_raw_row_computation(
    catalogue: Engine, cli: Cli, monkeypatch: pytest.MonkeyPatch, min_group: int
) -> None:
    _import_samples(cli)
    first = {code: _analyse(catalogue, code, min_group=min_group) for code in CODES}  # computes, stores
    assert _cached_rows(catalogue) == len(CODES)
    raw = {code: _analyse(catalogue, code, min_group=min_group, use_cache=False) for code in CODES}
    with monkeypatch.context() as m:
        _no_raw_reads(m)
        cached = {code: _analyse(catalogue, code, min_group=min_group) for code in CODES}
    for code in CODES:
        assert any(lv.changes for lv in raw[code].levels), "the sample must have pre/post rows"
        _same(first[code], raw[code])
        _same(cached[code], raw[code])
        assert cached[code].to_dict() == raw[code].to_dict()  # in fact bit for bit (NaN reads None)
    # Another threshold is another entry, never the first one's figures.
    other = _analyse(catalogue, CODES[0], min_group=min_group + 50)
    assert other.min_group == min_group + 50
    _same(other, _analyse(catalogue, CODES[0], min_group=min_group + 50, use_cache=False))


def test_cached_headlines_equal_the_raw_row_computation(
    catalogue: Engine, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import_samples(cli)
    with db.reading(catalogue) as s:
        raw = [e.to_dict() for e in analysis.headline_effects(s, use_cache=False)]
        first = [e.to_dict() for e in analysis.headline_effects(s)]
    with monkeypatch.context() as m, db.reading(catalogue) as s:
        _no_raw_reads(m)
        cached = [e.to_dict() for e in analysis.headline_effects(s)]
        some = [e.to_dict() for e in analysis.headline_effects(s, [CODES[1]])]
    assert any(h["yi"] is not None for h in raw)
    _close(first, raw)
    _close(cached, raw)
    _close(some, [h for h in raw if h["code"] == CODES[1]])
    # The headlines agree with analyse()'s.
    for h in raw:
        level = _analyse(catalogue, h["code"], use_cache=False).to_dict()["levels"][
            ["reaction", "learning", "behaviour", "results"].index(h["level"])
        ]
        assert h["kind"] == level["headline"]["kind"]
        _close(h["yi"], level["headline"]["yi"])


def test_an_import_is_never_answered_from_the_cache(catalogue: Engine, cli: Cli, tmp_path: Path) -> None:
    lines = (SAMPLE / "measurements.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    first = tmp_path / "first.csv"  # everything but Norrby's post wave
    first.write_text("".join(x for x in lines if not (x.startswith("NRB-LG-2024,") and ",post," in x)), "utf-8")
    cli("import", str(first))
    before = _analyse(catalogue, "NRB-LG-2024")
    with db.reading(catalogue) as s:
        heads_before = [e.to_dict() for e in analysis.headline_effects(s)]
    cli("import", str(SAMPLE / "measurements.csv"))  # adds the post wave
    after = _analyse(catalogue, "NRB-LG-2024")
    _same(after, _analyse(catalogue, "NRB-LG-2024", use_cache=False))
    post = analysis.WAVES[1]
    assert before.wave_n(post) == 0 < after.wave_n(post)
    with db.reading(catalogue) as s:
        heads_after = [e.to_dict() for e in analysis.headline_effects(s)]
        _close(heads_after, [e.to_dict() for e in analysis.headline_effects(s, use_cache=False)])
    assert heads_after != heads_before


def test_an_erasure_is_never_answered_from_the_cache(catalogue: Engine, cli: Cli) -> None:
    _import_samples(cli)
    before = _analyse(catalogue, "NRB-LG-2024", min_group=1)
    assert _cached_rows(catalogue) == 1
    cli("participant", "forget", "NRB-LG-2024", "NRBL001")
    # The erased participant's figures do not stay behind in the cache either.
    assert _cached_rows(catalogue) == 0
    after = _analyse(catalogue, "NRB-LG-2024", min_group=1)
    _same(after, _analyse(catalogue, "NRB-LG-2024", min_group=1, use_cache=False))
    assert after.n_treatment + after.n_control == before.n_treatment + before.n_control - 1


def test_a_deleted_interventions_id_reused_starts_afresh(catalogue: Engine, cli: Cli) -> None:
    _import_samples(cli)
    old = _analyse(catalogue, "NRB-LG-2024")
    assert old.n_treatment > 0
    with db.reading(catalogue) as s:
        old_id = s.scalars(select(Intervention.id).where(Intervention.code == "NRB-LG-2024")).one()
        client_id = s.scalars(select(Intervention.client_id).where(Intervention.code == "NRB-LG-2024")).one()
    cli("intervention", "delete", "NRB-LG-2024", "--yes")
    with db.transaction(catalogue) as s:
        s.add(
            Intervention(
                id=old_id,
                code="NEW-2026",
                title="Ny",
                client_id=client_id,
                target_group="managers",
                format="training_programme",
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 2, 1),
            )
        )
    new = _analyse(catalogue, "NEW-2026")
    assert new.n_treatment == 0 and all(not lv.changes for lv in new.levels)


def test_a_restore_is_never_answered_from_the_cache(catalogue: Engine, cli: Cli, tmp_path: Path) -> None:
    _import_samples(cli)
    _analyse(catalogue, "NRB-LG-2024")
    assert _cached_rows(catalogue) == 1
    out = tmp_path / "b.kpbackup"
    backup.backup(catalogue, out)
    _, tables = backup.read_backup(out)
    assert tables["analysis_cache"] == []  # computed results do not travel in backups
    target = db.make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        backup.restore(target, out)
        assert _cached_rows(target) == 0
        _same(_analyse(target, "NRB-LG-2024"), _analyse(catalogue, "NRB-LG-2024", use_cache=False))
    finally:
        target.dispose()


def test_a_result_read_before_a_change_is_not_stored_after_it(catalogue: Engine, cli: Cli) -> None:
    """A reader that read version v, then an import committed: its result is not stored as v's."""
    _import_samples(cli)
    with db.reading(catalogue) as s:
        iv = s.scalars(select(Intervention.id).where(Intervention.code == "NRB-LG-2024")).one()
        v = analysis_cache.versions(s.connection(), [iv])[iv]
    with db.transaction(catalogue) as s:
        analysis_cache.bump(s.connection(), [iv])  # what a concurrent import does
    assert analysis_cache.store(catalogue, "k", [(iv, v, "[]")])
    assert _cached_rows(catalogue) == 0
    assert analysis_cache.store(catalogue, "k", [(iv, v + 1, "[]")])
    assert _cached_rows(catalogue) == 1


def test_storing_never_waits_for_a_running_import(catalogue: Engine) -> None:
    """A reader that cannot write at once (an import holds the lock) gives up storing, quickly."""
    with db.writer(catalogue).connect() as holder:
        if holder.dialect.name == "postgresql":
            holder.exec_driver_sql("LOCK TABLE analysis_cache IN ACCESS EXCLUSIVE MODE")
        else:
            holder.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: SQLite's one write lock
        t = time.perf_counter()
        stored = analysis_cache.store(catalogue, "k", [(1, 0, "[]")])
        assert not stored and time.perf_counter() - t < 5
        holder.rollback()
    assert analysis_cache.store(catalogue, "k", [(1, 0, "[]")])
