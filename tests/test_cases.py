"""Success cases: the participants with the largest and smallest level-3 reliable change."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from kirkpatrick.domain.errors import NotFound
from kirkpatrick.io import importing
from kirkpatrick.services import records
from kirkpatrick.services import success_cases as cases
from kirkpatrick.services.records import InterventionFields, MeasureFields
from kirkpatrick.storage import db

PRE = {"self": [3.0, 3.4, 2.8, 3.9, 3.1, 2.5, 3.6], "manager": [2.9, 3.0, 3.3, 3.5, 2.7, 2.6, 3.2]}
POST = {"self": [3.9, 3.5, 2.6, 4.6, 3.2, 3.5, 3.5], "manager": [3.6, 3.1, 3.0, 4.4, 2.9, 3.4, 3.3]}
PEOPLE = [f"P{i}" for i in range(1, 8)]
RELIABILITY = 0.88


def setup(engine: Engine, tmp_path: Path) -> None:
    with db.transaction(engine) as s:
        records.add_client(s, "Ekbacka kommun")
        records.add_intervention(
            s,
            "EKB-1",
            InterventionFields(
                title="Coachning",
                client="Ekbacka kommun",
                target_group="managers",
                format="group_coaching",
                start="2024-01-01",
                end="2024-06-01",
            ),
        )
        records.add_measure(
            s, MeasureFields("lf", "Ledarbeteende", "behaviour", "1", "5", reliability=str(RELIABILITY))
        )
        records.add_measure(s, MeasureFields("stress", "Stress", "behaviour", "1", "5", higher_is_better="false"))
        records.add_measure(s, MeasureFields("knowledge", "Kunskap", "learning", "0", "20", reliability="0.8"))
    lines = ["participant,measure,wave,rater,value"]
    for rater in PRE:
        for p, a, b in zip(PEOPLE, PRE[rater], POST[rater]):
            lines += [f"{p},lf,pre,{rater},{a}", f"{p},lf,post,{rater},{b}"]
    for p in PEOPLE:  # no reliability, and another level: neither counts
        lines += [
            f"{p},stress,pre,self,3",
            f"{p},stress,post,self,1",
            f"{p},knowledge,pre,self,5",
            f"{p},knowledge,post,self,19",
        ]
    path = tmp_path / "m.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    importing.import_measurements(engine, path, importing.ImportOptions(intervention="EKB-1"))


def expected_rci() -> dict[str, float]:
    # Jacobson & Truax (1991): RCI = (post - pre) / sqrt(2 (s sqrt(1 - r))^2), s = SD of the pretest.
    out = {p: [] for p in PEOPLE}  # type: dict[str, list[float]]
    for rater in PRE:
        pre, post = np.array(PRE[rater]), np.array(POST[rater])
        s_diff = math.sqrt(2.0) * pre.std(ddof=1) * math.sqrt(1 - RELIABILITY)
        for p, d in zip(PEOPLE, (post - pre) / s_diff):
            out[p].append(float(d))
    return {p: float(np.mean(v)) for p, v in out.items()}


def test_largest_and_smallest_reliable_change(engine: Engine, tmp_path: Path) -> None:
    setup(engine, tmp_path)
    with db.reading(engine) as s:
        result = cases.success_cases(s, "EKB-1", top=2)
    want = sorted(expected_rci().items(), key=lambda kv: -kv[1])
    assert result.n == 7 and result.measures == ["lf/manager", "lf/self"]
    assert [c.participant for c in result.largest] == [want[0][0], want[1][0]]
    assert [c.participant for c in result.smallest] == [want[-1][0], want[-2][0]]
    for c in result.largest + result.smallest:
        assert c.rci == pytest.approx(dict(want)[c.participant], rel=1e-12)
        assert c.outcomes == 2
    top = result.largest[0]
    assert top.participant == "P6" and top.improved == 2  # +1.0 and +0.8 on a 1-5 scale
    assert result.note is None


def test_few_participants_split_between_the_lists(engine: Engine, tmp_path: Path) -> None:
    setup(engine, tmp_path)
    with db.reading(engine) as s:
        result = cases.success_cases(s, "EKB-1", top=5)
    assert len(result.largest) == len(result.smallest) == 3
    assert not {c.participant for c in result.largest} & {c.participant for c in result.smallest}
    assert result.note == "only 7 participants: 3 shown at each end so the lists do not overlap"


def test_unknown_intervention(engine: Engine) -> None:
    with db.reading(engine) as s, pytest.raises(NotFound, match="no intervention with code 'NOPE'"):
        cases.success_cases(s, "NOPE")


def test_reports_never_import_cases() -> None:
    # Success cases name participants: no report module may even import them.
    import ast

    import kirkpatrick

    root = Path(kirkpatrick.__file__).parent
    analysis = sorted(str(p.relative_to(root)) for p in (root / "services" / "analysis").glob("*.py"))
    assert analysis, "the analysis package moved"
    for name in ("reports/intervention.py", "reports/portfolio.py", "services/portfolio.py", *analysis):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "cases" not in imported and "cases" not in modules, name
