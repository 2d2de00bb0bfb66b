"""Importing measurements through the library: sample files, item scoring, idempotence,
conflicts with the database, dry runs, and hypothesis-generated files."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from support import SAMPLE, snapshot

from kirkpatrick.io.importing import ImportFailed, ImportOptions, import_measurements
from kirkpatrick.storage import db
from kirkpatrick.storage.models import ItemResponse, Measure, Measurement, Participant

CORPUS = Path(__file__).resolve().parent / "data" / "import"
KURS = ImportOptions(intervention="VBY-KURS-2025", wave="post")


def _values(engine: Engine) -> dict[tuple[str, str, str, str], float]:
    with engine.connect() as c:
        rows = c.execute(
            select(Participant.code, Measure.code, Measurement.wave, Measurement.rater, Measurement.value)
            .join(Participant, Participant.id == Measurement.participant_id)
            .join(Measure, Measure.id == Measurement.measure_id)
        )
        return {(p, m, w.value, r.value): v for p, m, w, r, v in rows}


def test_sample_files_import_and_reimport_changes_nothing(catalogue: Engine) -> None:
    norrby = ImportOptions(intervention="NRB-LG-2024", wave="pre", rater="self")
    first = [
        import_measurements(catalogue, SAMPLE / "measurements.csv"),
        import_measurements(catalogue, SAMPLE / "norrby_ledarbeteende_fore.csv", norrby),
        import_measurements(catalogue, SAMPLE / "kurs_utvardering.xlsx", KURS),
    ]
    # measurements.csv has 1092 data lines; the wide files give a score per filled cell / item set.
    assert [s.imported for s in first] == [1092, 60, 81]
    assert first[1].dialect.encoding == "cp1252" and first[1].dialect.decimal == ","
    before = snapshot(catalogue)
    again = [
        import_measurements(catalogue, SAMPLE / "measurements.csv"),
        import_measurements(catalogue, SAMPLE / "norrby_ledarbeteende_fore.csv", norrby),
        import_measurements(catalogue, SAMPLE / "kurs_utvardering.xlsx", KURS),
    ]
    assert [(s.imported, s.skipped, s.participants_created) for s in again] == [(0, 1092, 0), (0, 60, 0), (0, 81, 0)]
    assert snapshot(catalogue) == before


def test_items_are_reverse_scored_and_stored_raw(catalogue: Engine) -> None:
    summary = import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    assert (summary.imported, summary.too_few_items, summary.item_responses) == (2, 1, 15)
    values = _values(catalogue)
    # lf is 1-5 with lf_3 and lf_7 reversed (6 - x): w001 answers 4,4,2,4,4,4,2,4 -> all 4.
    assert values[("w001", "lf", "post", "self")] == pytest.approx(4.0)
    # w002: 5,_,1,5,5,5,1,5 -> 7 answers, reversed 1 -> 5: mean 5.
    assert values[("w002", "lf", "post", "self")] == pytest.approx(5.0)
    assert ("w003", "lf", "post", "self") not in values  # 5 of 8 answered is below 80 %
    with catalogue.connect() as c:
        raw = sorted(v for (v,) in c.execute(select(ItemResponse.value)))
    assert raw == sorted([4, 4, 2, 4, 4, 4, 2, 4, 5, 1, 5, 5, 5, 1, 5])


def test_lower_minimum_share_keeps_sparse_scores(catalogue: Engine) -> None:
    options = ImportOptions(intervention="VBY-KURS-2025", wave="post", min_item_share=0.5)
    import_measurements(catalogue, CORPUS / "items_wide.csv", options)
    assert _values(catalogue)[("w003", "lf", "post", "self")] == pytest.approx(3.0)


def test_different_value_in_database_is_an_error(catalogue: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("participant,measure,wave,value\np1,proc_fit,post,4\np2,proc_fit,post,3\n", encoding="utf-8")
    import_measurements(catalogue, path, KURS)
    path.write_text(
        "participant,measure,wave,value\np1,proc_fit,post,4\np2,proc_fit,post,2\np3,proc_fit,post,5\n", encoding="utf-8"
    )
    before = snapshot(catalogue)
    with pytest.raises(ImportFailed) as caught:
        import_measurements(catalogue, path, KURS)
    assert caught.value.errors == [f"{path}:3:value: p2 proc_fit post self is already 3 in the database, not 2"]
    assert snapshot(catalogue) == before


def test_intervention_column_must_match_the_option(catalogue: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "intervention,participant,measure,wave,value\nVBY-KURS-2025,p1,proc_fit,post,4\nNRB-LG-2024,p2,proc_fit,post,3\n"
        "NOPE,p3,proc_fit,post,3\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as caught:
        import_measurements(catalogue, path, KURS)
    assert caught.value.errors == [
        f"{path}:3:intervention: row is for 'NRB-LG-2024', not 'VBY-KURS-2025' (--intervention)",
        f"{path}:4:intervention: unknown intervention 'NOPE'",
    ]


def test_group_must_agree_with_file_and_database(catalogue: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "participant,group,measure,wave,value\np1,control,proc_fit,post,4\np1,treatment,proc_fit,pre,4\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as caught:
        import_measurements(catalogue, path, KURS)
    assert caught.value.errors == [
        f"{path}:3:group: participant p1 is in group control earlier in the file, not treatment"
    ]
    path.write_text("participant,group,role,measure,wave,value\np1,control,rektor,proc_fit,post,4\n", encoding="utf-8")
    import_measurements(catalogue, path, KURS)
    with catalogue.connect() as c:
        assert c.execute(select(Participant.group, Participant.role)).one() == ("control", "rektor")
    path.write_text("participant,group,measure,wave,value\np1,treatment,proc_fit,pre,4\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_measurements(catalogue, path, KURS)
    assert caught.value.errors == [f"{path}:2:group: participant p1 is in group control in the database, not treatment"]


def test_dry_run_writes_nothing(catalogue: Engine) -> None:
    before = snapshot(catalogue)
    summary = import_measurements(catalogue, SAMPLE / "measurements.csv", dry_run=True)
    assert (summary.dry_run, summary.imported, summary.participants_created) == (True, 1092, 84)
    assert snapshot(catalogue) == before


def test_wide_without_wave_is_an_error(catalogue: Engine) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_measurements(catalogue, CORPUS / "items_wide.csv", ImportOptions(intervention="VBY-KURS-2025"))
    assert caught.value.errors == [f"{CORPUS / 'items_wide.csv'}:1: wide layout needs --wave (or a 'wave' column)"]


# ------------------------------------------------------------ hypothesis: import exactly or fail cleanly

_codes = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6)
_good = st.tuples(
    _codes,
    st.sampled_from(["proc_fit", "satisfaction"]),
    st.sampled_from(["pre", "post"]),
    st.sampled_from(["self", "manager"]),
    st.integers(1, 5),
)
_bad_value = st.sampled_from(["11", "x", "", "1,5", "nan", "inf"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(_good, max_size=12),
    bad=st.lists(st.tuples(st.integers(0, 11), _bad_value), max_size=2),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_generated_files_import_exactly_or_fail_cleanly(
    catalogue: Engine,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str, str, str, int]],
    bad: list[tuple[int, str]],
    delimiter: str,
) -> None:
    with db.writer(catalogue).begin() as c:  # each example starts from no measurements
        c.execute(text("DELETE FROM item_response"))
        c.execute(text("DELETE FROM measurement"))
        c.execute(text("DELETE FROM participant"))
    cells = [[p, m, w, r, str(v)] for p, m, w, r, v in rows]
    broken = {i for i, _ in bad if i < len(cells)}
    for i, value in bad:
        if i < len(cells):
            cells[i][4] = value
    path = tmp_path_factory.mktemp("h") / "gen.csv"
    lines = [delimiter.join(["participant", "measure", "wave", "rater", "value"])] + [delimiter.join(c) for c in cells]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    keys = [(p, m, w, r) for p, m, w, r, _ in rows]
    duplicated = len(set(keys)) != len(keys)
    before = snapshot(catalogue)
    try:
        import_measurements(catalogue, path, ImportOptions(intervention="VBY-KURS-2025", decimal="."))
    except ImportFailed as exc:
        assert broken or duplicated or not rows, exc
        assert all(e.startswith(f"{path}:") for e in exc.errors)
        assert snapshot(catalogue) == before
        return
    assert not broken and not duplicated
    assert _values(catalogue) == {(p, m, w, r): float(v) for p, m, w, r, v in rows}


def test_concurrent_imports_of_one_file_store_it_once(catalogue: Engine, db_url: str) -> None:
    import threading

    results: list[object] = []

    def one() -> None:
        engine = db.make_engine(db_url)
        try:
            results.append(import_measurements(engine, SAMPLE / "measurements.csv"))
        except Exception as exc:
            results.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted((r.imported, r.skipped) for r in results) == [(0, 1092), (1092, 0)], results  # type: ignore[attr-defined]
    assert len(_values(catalogue)) == 1092


def test_a_number_known_from_one_measure_is_still_checked_against_anothers_scale(
    catalogue: Engine, tmp_path: Path
) -> None:
    """Regression: rows are checked a batch at a time, and a batch with any new number went row by
    row only for the rows holding something new; a number already accepted for satisfaction
    (1-10) then reached team (1-5) unchecked. Here "7" is learnt in the first batch, and the
    second batch has a new number ("2.75") and team = 7 on the last line."""
    from kirkpatrick.io import pipeline

    lines = ["participant,measure,wave,rater,value,date"]
    lines += [f"Q{p:05d},satisfaction,pre,self,7,2025-01-01" for p in range(pipeline.BATCH + 100)]
    lines += ["Q00001,team,pre,self,2.75,2025-01-01", "Q00002,team,pre,self,7,2025-01-01"]
    path = tmp_path / "scale.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(catalogue)
    with pytest.raises(ImportFailed) as failed:
        import_measurements(catalogue, path, ImportOptions(intervention="NRB-LG-2024"))
    assert f"scale.csv:{len(lines)}:value: 7 is outside the scale of team (1 to 5)" in str(failed.value)
    assert snapshot(catalogue) == before
