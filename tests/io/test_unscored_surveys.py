"""Survey-tool exports with a multi-item measure: the corpus's two statements are the items of one
measure, and sjv-05 answers only one of them before ("Vet ej" to the other). Every tool's export
gives the same scale scores as the canonical file (the mean of both items), no score for sjv-05
at pre (n = 7), and sjv-05's one answer kept without a score; erasure removes it, the
participant's copy holds it. On SQLite and (``--postgres``) PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from support import Cli
from test_surveys import SURVEYS, TOOLS
from test_unscored_items import scores, unscored

from kirkpatrick.io import surveys
from kirkpatrick.io.importing import open_input
from kirkpatrick.storage import db
from kirkpatrick.storage.models import UnscoredItemResponse

CODE = "SJV-LED-2025"
LABELS = "Instämmer inte alls | Instämmer delvis inte | Varken eller | Instämmer delvis | Instämmer helt"


def _catalogue(folder: Path) -> Path:
    """The corpus catalogue with feedback and trust as the two items of one measure, ``lead``."""
    path = folder / "catalogue_items.csv"
    path.write_text(
        "code,name,level,scale_min,scale_max,items,wording,labels,no_answer\n"
        f"lead,Ledarskap,behaviour,1,5,lead_fb lead_trust,,{LABELS},Vet ej | Don't know\n"
        "lead.lead_fb,,,,,,Min chef ger mig återkoppling som hjälper mig utvecklas,,\n"
        "lead.lead_trust,,,,,,Jag litar på min chef,,\n"
        "nps,Rekommendation,reaction,0,10,,"
        "Hur troligt är det att du skulle rekommendera programmet till en kollega?,,\n",
        encoding="utf-8",
    )
    return path


def _expected() -> tuple[dict[tuple[str, str, str], float], dict[tuple[str, str, str, str], float]]:
    """From the canonical long file, by hand: the scale score where both items were answered,
    and the single answers of those who gave only one."""
    given: dict[tuple[str, str], dict[str, float]] = {}
    nps: dict[tuple[str, str, str], float] = {}
    with (SURVEYS / "canonical.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["participant"], row["wave"])
            if row["measure"] == "nps":
                nps[(row["participant"], "nps", row["wave"])] = float(row["value"])
            else:
                given.setdefault(key, {})["lead_" + row["measure"]] = float(row["value"])
    expected_scores = {(p, "lead", w): sum(v.values()) / 2 for (p, w), v in given.items() if len(v) == 2}
    expected_unscored = {
        (p, item, w, "self"): value for (p, w), v in given.items() if len(v) == 1 for item, value in v.items()
    }
    return {**expected_scores, **nps}, expected_unscored


def _setup(db_url: str, folder: Path) -> Cli:
    cli = Cli(db_url)
    cli("init")
    cli("measure", "import", str(_catalogue(folder)))
    cli("client", "add", "Sjövik kommun")
    cli("intervention", "add", CODE, "--client", "Sjövik kommun", "--title", "Ledarprogram",
        "--target-group", "managers", "--format", "training_programme",
        "--start", "2025-02-01", "--end", "2025-06-30")  # fmt: skip
    return cli


def _import(engine: Engine, tool: str, wave: str, *, dry_run: bool = False) -> surveys.SurveyPreview:
    key_file = surveys.read_key_file(open_input(SURVEYS / "keys.csv")) if tool == "msforms" else {}
    source = "swedish" if tool == "swedish" else None
    options = surveys.SurveyOptions(CODE, wave, source=source, key_file=key_file)
    return surveys.import_survey(engine, open_input(SURVEYS / TOOLS[tool].format(wave)), options, dry_run=dry_run)


@pytest.mark.parametrize("tool", list(TOOLS))
def test_each_tool_keeps_the_answers_too_few_for_a_score(tool: str, db_url: str, tmp_path: Path) -> None:
    _setup(db_url, tmp_path)
    engine = db.make_engine(db_url)
    try:
        expected_scores, expected_unscored = _expected()
        assert expected_unscored == {("sjv-05", "lead_trust", "pre", "self"): 4.0}  # the corpus as documented
        dry = _import(engine, tool, "pre", dry_run=True)
        assert dry.summary is not None
        assert (dry.summary.too_few_items, dry.summary.unscored_item_responses) == (1, 1)
        assert unscored(engine) == {}
        for wave in ("pre", "post"):
            preview = _import(engine, tool, wave)
            assert preview.summary is not None
            assert preview.summary.too_few_items == (1 if wave == "pre" else 0)
        assert scores(engine) == pytest.approx(expected_scores)
        assert sum(1 for p, m, w in scores(engine) if (m, w) == ("lead", "pre")) == 7  # n: no score invented
        assert unscored(engine) == expected_unscored
        # Importing the same export again changes nothing.
        again = _import(engine, tool, "pre")
        assert again.summary is not None and (again.summary.imported, again.summary.unscored_present) == (0, 1)
        assert len(unscored(engine)) == 1
    finally:
        engine.dispose()


def test_erasure_and_the_participants_copy_cover_a_survey_export(db_url: str, tmp_path: Path) -> None:
    cli = _setup(db_url, tmp_path)
    result = cli("import", str(SURVEYS / "googleforms_pre.csv"), "--intervention", CODE, "--wave", "pre", "--dry-run")
    assert "1 scale score left out: too few items answered; the 1 item answer given would be kept" in result.output
    result = cli("import", str(SURVEYS / "googleforms_pre.csv"), "--intervention", CODE, "--wave", "pre")
    assert "the 1 item answer given is kept without a score (not analysed)" in result.output
    copy = json.loads(cli("participant", "export", CODE, "sjv-05").output)
    assert copy["unscored_item_answers"] == [
        {"measure": "lead", "item": "lead_trust", "wave": "pre", "rater": "self", "value": 4.0, "date": None}
    ]
    assert [m["measure"] for m in copy["measurements"]] == ["nps"]
    assert json.loads(cli("participant", "export", CODE, "sjv-04").output)["unscored_item_answers"] == []
    erased = cli("participant", "forget", CODE, "sjv-05", "--json")
    assert json.loads(erased.output)["removed"]["unscored_item_response"] == 1
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as c:
            assert c.scalar(select(func.count()).select_from(UnscoredItemResponse)) == 0
    finally:
        engine.dispose()
