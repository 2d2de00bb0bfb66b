"""Attrition and completers come from who answered both waves, never from head counts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from kirkpatrick.io.importing import ImportOptions, import_measurements
from kirkpatrick.services import analysis
from kirkpatrick.storage import db


def test_a_late_joiner_does_not_hide_a_dropout(catalogue: Engine, tmp_path: Path) -> None:
    # Five answer before; after, one of them is gone and a newcomer answers instead.
    # Head counts (5 before, 5 after) would say 0 % attrition; by person it is 1 of 5 = 20 %.
    rows = ["participant,measure,wave,value,rater"]
    for person, value in zip(["a", "b", "c", "d", "e"], [3.0, 3.2, 2.8, 3.6, 3.1]):
        rows.append(f"{person},team,pre,{value},report")
    for person, value in zip(["a", "b", "c", "d", "f"], [3.4, 3.5, 3.0, 3.9, 3.3]):
        rows.append(f"{person},team,post,{value},report")
    path = tmp_path / "waves.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_measurements(catalogue, path, ImportOptions(intervention="VBY-KURS-2025"))
    with db.reading(catalogue) as s:
        result = analysis.analyse(s, "VBY-KURS-2025")
    assert result.wave_n(result.waves[0].wave) == 5
    assert result.completers == 4
    assert result.attrition == 1 - 4 / 5  # by hand: e answered before only
    assert result.to_dict()["completers"] == 4
