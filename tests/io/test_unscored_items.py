"""Item answers kept without a scale score: a respondent who answers too few of a measure's items
gets no score (n unchanged), and the answers they gave are kept in ``unscored_item_response``,
re-imported like measurements (same: skipped; different: an error), replaced when a later import
brings the score, counted in the summary, in the participant's copy of their data, and erased
with the participant or the intervention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select
from support import Cli, snapshot

from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.io.importing import ImportFailed, ImportOptions, import_measurements
from kirkpatrick.io.pipeline import Replace, write_rows
from kirkpatrick.io.rows import CanonicalRow
from kirkpatrick.storage import analysis_cache, db
from kirkpatrick.storage.models import (
    ItemResponse,
    Measure,
    MeasureItem,
    Measurement,
    Participant,
    UnscoredItemResponse,
)

CORPUS = Path(__file__).resolve().parent / "data" / "import"
CODE = "VBY-KURS-2025"
KURS = ImportOptions(intervention=CODE, wave="post")
# items_wide.csv: lf is 1-5 with 8 items; w003 answers 5 of them (3,_,_,3,3,3,3,_): below 80 %.
W003 = {"lf_1": 3.0, "lf_4": 3.0, "lf_5": 3.0, "lf_6": 3.0, "lf_7": 3.0}


def unscored(engine: Engine) -> dict[tuple[str, str, str, str], float]:
    """(participant, item, wave, rater) -> value of every stored answer without a score."""
    u = UnscoredItemResponse
    with engine.connect() as c:
        rows = c.execute(
            select(Participant.code, MeasureItem.code, u.wave, u.rater, u.value)
            .join(Participant, Participant.id == u.participant_id)
            .join(MeasureItem, MeasureItem.id == u.item_id)
        )
        return {(p, i, w.value, r.value): v for p, i, w, r, v in rows}


def scores(engine: Engine) -> dict[tuple[str, str, str], float]:
    with engine.connect() as c:
        rows = c.execute(
            select(Participant.code, Measure.code, Measurement.wave, Measurement.value)
            .join(Participant, Participant.id == Measurement.participant_id)
            .join(Measure, Measure.id == Measurement.measure_id)
        )
        return {(p, m, w.value): v for p, m, w, v in rows}


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as c:
        return int(c.scalar(select(func.count()).select_from(model)) or 0)


def test_too_few_items_keep_their_answers_without_a_score(catalogue: Engine) -> None:
    dry = import_measurements(catalogue, CORPUS / "items_wide.csv", KURS, dry_run=True)
    assert (dry.too_few_items, dry.unscored_item_responses) == (1, 5)
    assert _count(catalogue, UnscoredItemResponse) == 0  # a dry run writes nothing
    summary = import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    assert (summary.imported, summary.too_few_items, summary.item_responses) == (2, 1, 15)
    assert summary.unscored_item_responses == 5
    # No score is invented: two scores (n = 2), w003 has none.
    assert set(scores(catalogue)) == {("w001", "lf", "post"), ("w002", "lf", "post")}
    assert unscored(catalogue) == {("w003", item, "post", "self"): v for item, v in W003.items()}
    # Item answers behind scores stay where they were: 8 + 7.
    assert _count(catalogue, ItemResponse) == 15
    assert summary.as_dict()["unscored_item_responses"] == 5


def test_reimport_changes_nothing_and_a_different_answer_is_an_error(catalogue: Engine, tmp_path: Path) -> None:
    import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    before = snapshot(catalogue)
    again = import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    assert (again.imported, again.unscored_item_responses, again.unscored_present) == (0, 0, 1)
    assert snapshot(catalogue) == before
    changed = tmp_path / "changed.csv"
    changed.write_text("participant,lf_1,lf_2,lf_3\nw003,3,4,\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_measurements(catalogue, changed, KURS)
    assert "changed.csv:2:lf_2: w003 lf post self already has other item answers without a score" in str(failed.value)
    assert "(this item not answered, not 4)" in str(failed.value)
    assert snapshot(catalogue) == before
    # Only answers without a score, for a stored participant: the data version still goes up.
    with catalogue.connect() as c:
        iid = c.scalar(select(Participant.intervention_id).where(Participant.code == "w001"))
        version = analysis_cache.versions(c, [iid])[iid]
    pre = tmp_path / "pre.csv"
    pre.write_text("participant,lf_1\nw001,3\n", encoding="utf-8")
    summary = import_measurements(catalogue, pre, ImportOptions(intervention=CODE, wave="pre"))
    assert (summary.imported, summary.participants_created, summary.unscored_item_responses) == (0, 0, 1)
    with catalogue.connect() as c:
        assert analysis_cache.versions(c, [iid])[iid] == version + 1


def test_the_same_person_twice_in_a_file_is_an_error(catalogue: Engine, tmp_path: Path) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text("participant,lf_1,lf_2\nq1,3,4\nq1,3,4\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"twice.csv:3:lf: same measurement as line 2 \(q1 lf post self\)"):
        import_measurements(catalogue, twice, KURS)
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("participant,lf_1,lf_2,lf_3,lf_4,lf_5,lf_6,lf_7,lf_8\nq1,3,3,3,3,3,3,3,3\nq1,3,,,,,,,\n")
    with pytest.raises(ImportFailed, match=r"mixed.csv:3:lf: same measurement as line 2"):
        import_measurements(catalogue, mixed, KURS)
    assert _count(catalogue, UnscoredItemResponse) == _count(catalogue, Measurement) == 0


def test_a_later_score_replaces_the_answers_kept_without_one(catalogue: Engine, tmp_path: Path) -> None:
    import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    # The same wave again, w003 now with all eight items (the five given before unchanged).
    later = tmp_path / "later.csv"
    later.write_text("participant,lf_1,lf_2,lf_3,lf_4,lf_5,lf_6,lf_7,lf_8\nw003,3,3,3,3,3,3,3,3\n", encoding="utf-8")
    conflicting = tmp_path / "conflicting.csv"
    conflicting.write_text("participant,lf_1,lf_2,lf_3,lf_4,lf_5,lf_6,lf_7,lf_8\nw003,5,3,3,3,3,3,3,3\n")
    before = snapshot(catalogue)
    with pytest.raises(ImportFailed, match=r"conflicting\.csv:2:lf_1: w003 lf post self: this item is already 3"):
        import_measurements(catalogue, conflicting, KURS)
    assert snapshot(catalogue) == before
    dry = import_measurements(catalogue, later, KURS, dry_run=True)
    assert (dry.imported, dry.unscored_replaced) == (1, 5)
    summary = import_measurements(catalogue, later, KURS)
    assert (summary.imported, summary.item_responses, summary.unscored_replaced) == (1, 8, 5)
    assert scores(catalogue)[("w003", "lf", "post")] == pytest.approx(3.0)  # all 3s, reversed 3s stay 3
    assert unscored(catalogue) == {}
    # And too few items for someone who has the score: skipped if the score's answers hold them ...
    again = import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    assert (again.imported, again.unscored_present, again.unscored_item_responses) == (0, 1, 0)
    assert unscored(catalogue) == {}
    # ... an error if not.
    other = tmp_path / "other.csv"
    other.write_text("participant,lf_1\nw003,1\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"other\.csv:2:lf_1: w003 lf post self already has a scale score"):
        import_measurements(catalogue, other, KURS)


def _lf(participant: str, values: dict[int, float], wave: Wave = Wave.PRE) -> list[CanonicalRow]:
    return [CanonicalRow(participant, "lf", f"lf_{i}", wave, Rater.SELF, v) for i, v in values.items()]


def test_canonical_rows_keep_too_few_items_and_replace_them(catalogue: Engine) -> None:
    """The built-in form's path: write_rows with only too few items still writes them; a respondent
    who changes their answers (replace) leaves no stale answers, with or without a score."""
    with db.writer(catalogue).begin() as c:
        summary = write_rows(c, CODE, _lf("k1", {1: 2.0, 2: 4.0}), source="form")
    assert (summary.imported, summary.too_few_items, summary.unscored_item_responses) == (0, 1, 2)
    assert summary.participants_created == 1
    assert unscored(catalogue) == {("k1", "lf_1", "pre", "self"): 2.0, ("k1", "lf_2", "pre", "self"): 4.0}
    replace = [Replace("k1", Wave.PRE, Rater.SELF, frozenset({"lf"}))]
    with db.writer(catalogue).begin() as c:
        write_rows(c, CODE, _lf("k1", {3: 1.0}), replace=replace, source="form")
    assert unscored(catalogue) == {("k1", "lf_3", "pre", "self"): 1.0}
    with db.writer(catalogue).begin() as c:
        write_rows(c, CODE, _lf("k1", dict.fromkeys(range(1, 9), 4.0)), replace=replace, source="form")
    assert unscored(catalogue) == {} and scores(catalogue) == {("k1", "lf", "pre"): pytest.approx(3.5)}
    with db.writer(catalogue).begin() as c:
        write_rows(c, CODE, _lf("k1", {8: 5.0}), replace=replace, source="form")
    assert scores(catalogue) == {} and unscored(catalogue) == {("k1", "lf_8", "pre", "self"): 5.0}


def test_erasure_removes_them_and_the_participants_copy_holds_them(catalogue: Engine, db_url: str) -> None:
    import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    cli = Cli(db_url)
    copy = cli("participant", "export", CODE, "w003").output
    assert '"unscored_item_answers"' in copy and '"item": "lf_7"' in copy
    scored = json.loads(cli("participant", "export", CODE, "w001").output)["item_answers"]
    assert [(a["item"], a["value"]) for a in scored] == [  # the file's row w001, as given (not reverse scored)
        (f"lf_{i}", v) for i, v in enumerate([4.0, 4.0, 2.0, 4.0, 4.0, 4.0, 2.0, 4.0], start=1)
    ]
    result = cli("participant", "forget", CODE, "w003")
    assert "5 unscored_item_response" in result.output
    assert unscored(catalogue) == {}
    import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    assert len(unscored(catalogue)) == 5
    cli("intervention", "delete", CODE, "--yes")
    assert _count(catalogue, UnscoredItemResponse) == 0


def test_the_reports_data_quality_counts_them_and_the_figures_do_not_change(catalogue: Engine) -> None:
    from bs4 import BeautifulSoup

    from kirkpatrick.reports import intervention as reports
    from kirkpatrick.services import analysis

    def report(lang: str) -> tuple[dict[str, object], str]:
        with db.reading(catalogue) as s:
            result = analysis.analyse(s, CODE, min_group=1)
            html = reports.render_intervention(result, lang)
        text = BeautifulSoup(html, "html.parser").get_text(" ", strip=True)
        return result.to_dict(), " ".join(text.split())

    # The file imported as before this table existed (w003's answers dropped, the participant
    # created) and as now (kept): the same figures, and one sentence more.
    import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    with_kept, text = report("en")
    assert "In 1 case a participant answered too few of a measure's items for a scale score" in text
    _, svenska = report("sv")
    assert "I 1 fall besvarade en deltagare för få av ett måtts frågor" in svenska
    with db.writer(catalogue).begin() as c:
        c.execute(delete(UnscoredItemResponse))
    dropped, text = report("en")
    assert "too few of a measure's items" not in text
    assert with_kept == dropped


def test_many_participants_are_checked_by_intervention(catalogue: Engine, tmp_path: Path) -> None:
    """Past a few hundred participants the stored answers are read per intervention, not by id."""
    from kirkpatrick.io.checks import FEW

    n = FEW + 100
    first = tmp_path / "first.csv"
    first.write_text(
        "participant,lf_1,lf_2,lf_3,lf_4,lf_5,lf_6,lf_7,lf_8\n"
        + "".join(f"m{i:04d},{'3,' * 7 + '3' if i % 3 else '2,4,,,,,,'}\n" for i in range(n)),
        encoding="utf-8",
    )
    summary = import_measurements(catalogue, first, KURS)
    too_few = len(range(0, n, 3))
    assert (summary.imported, summary.too_few_items, summary.unscored_item_responses) == (
        n - too_few,
        too_few,
        2 * too_few,
    )
    again = import_measurements(catalogue, first, KURS)
    assert (again.imported, again.unscored_present, again.unscored_item_responses) == (0, too_few, 0)
    # Everyone complete now: every answer without a score is replaced by a score.
    later = tmp_path / "later.csv"
    later.write_text(
        "participant,lf_1,lf_2,lf_3,lf_4,lf_5,lf_6,lf_7,lf_8\n"
        + "".join(f"m{i:04d},{'3,' * 7 + '3' if i % 3 else '2,4,3,3,3,3,3,3'}\n" for i in range(n)),
        encoding="utf-8",
    )
    done = import_measurements(catalogue, later, KURS)
    assert (done.imported, done.skipped, done.unscored_replaced) == (too_few, n - too_few, 2 * too_few)
    assert unscored(catalogue) == {}
    assert len(scores(catalogue)) == n
