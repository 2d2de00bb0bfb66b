"""Canonical rows written inside the caller's transaction (``io.pipeline.write_rows``): the same
checks as a file, the catalogue shared between calls and rebuilt when it changes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from support import snapshot

from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.io import validate
from kirkpatrick.io.pipeline import ImportFailed, Replace, write_rows
from kirkpatrick.io.rows import CanonicalRow
from kirkpatrick.services import records
from kirkpatrick.storage import db
from kirkpatrick.storage.models import ItemResponse, Measure, Measurement, Participant

CODE = "VBY-KURS-2025"
# lf: 1-5, items lf_1 .. lf_8 with lf_3 and lf_7 reversed (sample_data/measures.csv).
ITEMS = [4, 4, 2, 4, 4, 4, 2, 4]


def _lf(participant: str, values: list[int], wave: Wave = Wave.PRE) -> list[CanonicalRow]:
    return [CanonicalRow(participant, "lf", f"lf_{i}", wave, Rater.SELF, v) for i, v in enumerate(values, 1) if v]


def _stored(engine: Engine) -> dict[tuple[str, str, str], float]:
    with engine.connect() as c:
        rows = c.execute(
            select(Participant.code, Measure.code, Measurement.wave, Measurement.value)
            .join(Participant, Participant.id == Measurement.participant_id)
            .join(Measure, Measure.id == Measurement.measure_id)
        )
        return {(p, m, w.value): v for p, m, w, v in rows}


def test_items_become_the_reverse_scored_score_and_are_kept(catalogue: Engine) -> None:
    rows = [*_lf("k1", ITEMS), CanonicalRow("k1", "satisfaction", None, "post", "self", 8.0)]
    with db.writer(catalogue).begin() as c:
        summary = write_rows(c, CODE, rows)
    assert (summary.imported, summary.item_responses, summary.participants_created) == (2, 8, 1)
    # 4,4,(6-2),4,4,4,(6-2),4 -> 4, computed by hand
    assert _stored(catalogue) == {("k1", "lf", "pre"): pytest.approx(4.0), ("k1", "satisfaction", "post"): 8.0}
    with catalogue.connect() as c:
        assert sorted(c.scalars(select(ItemResponse.value))) == sorted(float(v) for v in ITEMS)


def test_every_mistake_is_reported_and_nothing_written(catalogue: Engine) -> None:
    before = snapshot(catalogue)
    rows = [
        CanonicalRow("k1", "nosuch", None, "pre", "self", 3.0),
        CanonicalRow("k1", "satisfaction", None, "pre", "self", 11.0),
        CanonicalRow("k1", "satisfaction", None, "later", "self", 5.0),
        CanonicalRow("k1", "lf", "lf_99", "pre", "self", 3.0),
        CanonicalRow("bad code!", "satisfaction", None, "post", "self", 5.0),
    ]
    with pytest.raises(ImportFailed) as failed, db.writer(catalogue).begin() as c:
        write_rows(c, CODE, rows, source="form")
    text = str(failed.value)
    assert "form:1:measure: unknown measure 'nosuch'" in text
    assert "form:2:value: 11 is outside the scale of satisfaction (1 to 10)" in text
    assert "form:3:wave: unknown wave 'later'" in text
    assert "form:4:item: measure lf has no item 'lf_99'" in text
    assert "form:5:participant: bad participant code" in text
    # Measurements given twice are found once every row is valid, as in a file.
    twice = [CanonicalRow("k2", "usefulness", None, "post", "self", v) for v in (5.0, 6.0)]
    with (
        pytest.raises(ImportFailed, match="form:2:usefulness: same measurement as line 1"),
        db.writer(catalogue).begin() as c,
    ):
        write_rows(c, CODE, twice, source="form")
    assert snapshot(catalogue) == before


def test_replace_deletes_the_earlier_answers_in_the_same_transaction(catalogue: Engine) -> None:
    with db.writer(catalogue).begin() as c:
        write_rows(c, CODE, _lf("k1", ITEMS))
    with db.writer(catalogue).begin() as c:
        summary = write_rows(
            c, CODE, _lf("k1", [5] * 8), replace=[Replace("k1", Wave.PRE, Rater.SELF, frozenset({"lf"}))]
        )
    # 5 x 6 and (6-5) x 2: (30 + 2) / 8 = 4
    assert summary.imported == 1
    assert _stored(catalogue) == {("k1", "lf", "pre"): pytest.approx(4.0)}
    with catalogue.connect() as c:
        assert c.scalar(select(func.count()).select_from(ItemResponse)) == 8
    # Without replace, a different value for a stored measurement is an error, as in a file.
    with pytest.raises(ImportFailed, match="already 4 in the database, not 3"), db.writer(catalogue).begin() as c:
        write_rows(c, CODE, _lf("k1", [3] * 8))


def test_the_catalogue_is_built_once_and_again_when_it_changes(catalogue: Engine) -> None:
    with catalogue.connect() as c:
        first = validate.load_catalogue(c)
        assert validate.load_catalogue(c) is first
    with db.transaction(catalogue) as s:
        records.add_measure(
            s, records.MeasureFields(code="extra", name="Extra", level="reaction", scale_min="1", scale_max="4")
        )
    with catalogue.connect() as c:
        second = validate.load_catalogue(c)
    assert second is not first and "extra" in second.measures and "extra" not in first.measures
    with db.writer(catalogue).begin() as c:
        assert write_rows(c, CODE, [CanonicalRow("k1", "extra", None, "pre", "self", 4.0)]).imported == 1
