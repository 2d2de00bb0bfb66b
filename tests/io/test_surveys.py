"""Survey-tool exports of one fictional programme, as five tools write them, import with no hand
edit and give the same participants and values as the canonical long file; the bad rows (test,
unfinished, duplicate, empty, hand-typed code) are excluded with their reasons, never counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from scipy import stats as scipy_stats
from sqlalchemy import Engine, select
from support import Cli

from kirkpatrick.io import surveys
from kirkpatrick.io.importing import ImportOptions, import_measurements, open_input
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Measure, Measurement, Participant

SURVEYS = Path(__file__).resolve().parent / "data" / "surveys"
TOOLS = {
    "qualtrics": "qualtrics_{}.csv",
    "msforms": "msforms_{}.xlsx",
    "googleforms": "googleforms_{}.csv",
    "surveymonkey": "surveymonkey_{}.csv",
    "swedish": "swedish_{}.csv",
}


def _database(tmp_path: Path, name: str) -> tuple[Cli, Engine]:
    url = f"sqlite:///{tmp_path / name}.db"
    cli = Cli(url)
    cli("init")
    cli("measure", "import", str(SURVEYS / "catalogue.csv"))
    cli("client", "add", "Sjövik kommun")
    cli(
        "intervention",
        "add",
        "SJV-LED-2025",
        "--client",
        "Sjövik kommun",
        "--title",
        "Ledarprogram",
        "--target-group",
        "managers",
        "--format",
        "training_programme",
        "--start",
        "2025-02-01",
        "--end",
        "2025-06-30",
    )
    return cli, db.make_engine(url)


def _values(engine: Engine) -> dict[tuple[str, str, str], float]:
    with engine.connect() as c:
        rows = c.execute(
            select(Participant.code, Measure.code, Measurement.wave, Measurement.value)
            .join(Participant, Participant.id == Measurement.participant_id)
            .join(Measure, Measure.id == Measurement.measure_id)
        )
        return {(p, m, w.value): v for p, m, w, v in rows}


@pytest.fixture(scope="module")
def canonical(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], float]:
    _, engine = _database(tmp_path_factory.mktemp("canonical"), "canonical")
    import_measurements(engine, SURVEYS / "canonical.csv", ImportOptions(intervention="SJV-LED-2025"))
    return _values(engine)


@pytest.mark.parametrize("tool", list(TOOLS))
def test_each_tool_imports_like_the_canonical_file(
    tool: str, canonical: dict[tuple[str, str, str], float], tmp_path: Path
) -> None:
    _, engine = _database(tmp_path, tool)
    key_file = surveys.read_key_file(open_input(SURVEYS / "keys.csv"))
    previews = {}
    for wave in ("pre", "post"):
        table = open_input(SURVEYS / TOOLS[tool].format(wave))
        options = surveys.SurveyOptions("SJV-LED-2025", wave, key_file=key_file if tool == "msforms" else {})
        if tool == "swedish":
            assert not surveys.is_export(table)
            options = surveys.SurveyOptions("SJV-LED-2025", wave, source="swedish")
        else:
            assert surveys.is_export(table)
        previews[wave] = surveys.import_survey(engine, table, options)
        assert previews[wave].tool == tool
        assert previews[wave].kept == 8
    values = _values(engine)
    assert values == canonical
    # Bad rows: a duplicate submission, a test or preview response and (but for Forms, which
    # keeps only submitted responses... it has an empty row instead) an unfinished or empty one.
    reasons = previews["pre"].excluded_counts()
    assert reasons.get("duplicate submission") == 1
    assert sum(n for r, n in reasons.items() if r.startswith("test")) == (0 if tool == "swedish" else 1)
    assert sum(n for r, n in reasons.items() if r in ("unfinished response", "empty response")) >= 1
    # The hand-typed "SJV 08" of the post wave is the stored sjv-08, not a ninth participant.
    if tool != "msforms":
        assert ("SJV 08", "sjv-08") in previews["post"].merged_codes
    assert len({p for p, _, _ in values}) == 8
    # Paired d_z and NPS from the imported values, against SciPy / a hand count.
    pre = [values[(c, "trust", "pre")] for c in sorted({p for p, _, _ in values})]
    post = [values[(c, "trust", "post")] for c in sorted({p for p, _, _ in values})]
    diff = [b - a for a, b in zip(pre, post)]
    d_z = sum(diff) / len(diff) / scipy_stats.tstd(diff)
    people = sorted({p for p, _, _ in canonical})
    canon_diff = [canonical[(c, "trust", "post")] - canonical[(c, "trust", "pre")] for c in people]
    assert len(diff) == len(canon_diff) == 8
    assert d_z == pytest.approx(scipy_stats.tmean(canon_diff) / scipy_stats.tstd(canon_diff))
    nps = [values[(c, "nps", "post")] for c in sorted({p for p, _, _ in values})]
    score = 100 * (sum(v >= 9 for v in nps) - sum(v <= 6 for v in nps)) / len(nps)
    canon_nps = [v for (p, m, w), v in canonical.items() if m == "nps" and w == "post"]
    assert score == 100 * (sum(v >= 9 for v in canon_nps) - sum(v <= 6 for v in canon_nps)) / len(canon_nps)


def test_reimport_changes_nothing_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    _, engine = _database(tmp_path, "again")
    table = open_input(SURVEYS / "qualtrics_pre.csv")
    dry = surveys.import_survey(engine, table, surveys.SurveyOptions("SJV-LED-2025", "pre"), dry_run=True)
    assert dry.summary is not None and dry.summary.imported == 23 and _values(engine) == {}
    mapped = {c.header: (c.target.code if c.target else c.how) for c in dry.columns}
    assert mapped["Status"] == "metadata (status)"
    first = surveys.import_survey(engine, table, surveys.SurveyOptions("SJV-LED-2025", "pre"))
    again = surveys.import_survey(engine, table, surveys.SurveyOptions("SJV-LED-2025", "pre"))
    assert first.summary is not None and again.summary is not None
    assert (first.summary.imported, again.summary.imported, again.summary.skipped) == (23, 0, 23)


def test_email_addresses_never_reach_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, engine = _database(tmp_path, "hmac")
    monkeypatch.setenv(surveys.SECRET_VARIABLE, "a secret kept outside the database")
    table = open_input(SURVEYS / "msforms_pre.xlsx")
    surveys.import_survey(engine, table, surveys.SurveyOptions("SJV-LED-2025", "pre"))
    codes = {p for p, _, _ in _values(engine)}
    assert len(codes) == 8 and all(c.startswith("p-") and "@" not in c for c in codes)
    monkeypatch.delenv(surveys.SECRET_VARIABLE)
    with pytest.raises(Exception, match=surveys.SECRET_VARIABLE):
        surveys.import_survey(
            engine, open_input(SURVEYS / "msforms_post.xlsx"), surveys.SurveyOptions("SJV-LED-2025", "post")
        )


def test_cli_dry_run_prints_the_mapping(tmp_path: Path) -> None:
    cli, _ = _database(tmp_path, "cli")
    result = cli(
        "import",
        str(SURVEYS / "qualtrics_pre.csv"),
        "--intervention",
        "SJV-LED-2025",
        "--wave",
        "pre",
        "--dry-run",
        "--save-mapping",
        str(tmp_path / "map.csv"),
    )
    assert "Survey export from qualtrics" in result.output
    assert "-> fb (wording)" in result.output
    assert "Excluded 1: test or preview response" in result.output
    assert "Would import 23 measurements" in result.output
    assert "fb" in (tmp_path / "map.csv").read_text(encoding="utf-8")
