"""The contract service: registration, call-offs, delivery and interview imports (all or nothing,
errors naming file and line), the follow-up record (threshold, cleared quotes only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from contract_fixtures import CODE, FIELDS, add_contract
from sqlalchemy import Engine
from support import snapshot

from kirkpatrick.domain.errors import Duplicate, InvalidInput, NotFound
from kirkpatrick.services import contracts
from kirkpatrick.storage import db


def test_contract_has_the_four_criteria_by_default_and_its_services(catalogue: Engine) -> None:
    add_contract(catalogue)
    with db.reading(catalogue) as s:
        info = contracts.describe_contract(s, CODE)
    assert [c["code"] for c in info["criteria"]] == list(contracts.DEFAULT_CRITERIA)
    assert info["scale"] == [1, 5]
    assert {(x["format"], x["volume"]) for x in info["services"]} == {
        ("individual_coaching", 100.0),
        ("group_coaching", None),
    }
    assert info["call_offs"] == ["NRB-LG-2024", "VBY-COACH-2024"]
    assert (info["interviews"], info["quotes"], info["quotes_cleared"]) == (6, 4, 3)


def test_custom_criteria_and_scale(catalogue: Engine) -> None:
    fields = contracts.ContractFields(**{**FIELDS.__dict__, "scale": "0-10", "criteria": ("price=Pris", "quality")})
    with db.transaction(catalogue) as s:
        c = contracts.add_contract(s, "OTHER", fields)
        assert [(k.code, k.name) for k in c.criteria] == [("price", "Pris"), ("quality", None)]
        assert (c.scale_min, c.scale_max) == (0, 10)
        contracts.add_interview(
            s, "OTHER", "A", contracts.InterviewFields("chef", "X", "2025-01-01", None, {"price": "9"})
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scale": "5-1"}, "bad scale '5-1'"),
        ({"end": "2023-01-01"}, "end date 2023-01-01 is before start date"),
        ({"services": ("coaching_deluxe",)}, "unknown service 'coaching_deluxe'"),
        ({"services": ("group_coaching=-3",)}, "must not be negative"),
        ({"criteria": ("a", "a")}, "criterion 'a' given twice"),
        ({"registration_number": " "}, "registration number is required"),
    ],
)
def test_bad_contracts_are_refused(catalogue: Engine, change: dict[str, object], message: str) -> None:
    before = snapshot(catalogue)
    with pytest.raises((InvalidInput, Duplicate), match=message), db.transaction(catalogue) as s:
        contracts.add_contract(s, "BAD", contracts.ContractFields(**{**FIELDS.__dict__, **change}))  # type: ignore[arg-type]
    assert snapshot(catalogue) == before


def test_call_offs_belong_to_one_contract(catalogue: Engine) -> None:
    add_contract(catalogue)
    with db.transaction(catalogue) as s:
        contracts.add_contract(s, "OTHER", FIELDS)
    with pytest.raises(Duplicate, match="already a call-off of another contract"), db.transaction(catalogue) as s:
        contracts.set_call_offs(s, "OTHER", ["NRB-LG-2024"])
    with db.transaction(catalogue) as s:
        contracts.set_call_offs(s, CODE, ["NRB-LG-2024"], remove=True)
    with db.reading(catalogue) as s:
        assert contracts.describe_contract(s, CODE)["call_offs"] == ["VBY-COACH-2024"]
    with pytest.raises(NotFound, match="no intervention with code 'NOPE'"), db.transaction(catalogue) as s:
        contracts.set_call_offs(s, CODE, ["NOPE"])


def test_grades_must_be_on_the_scale(catalogue: Engine) -> None:
    add_contract(catalogue)
    before = snapshot(catalogue)
    for grades, message in (
        ({"feasibility": "6"}, "bad grade on feasibility '6'"),
        ({"feasibility": "4,5"}, "a whole number 1-5"),
        ({"speed": "3"}, "unknown criterion 'speed'"),
    ):
        with pytest.raises(InvalidInput, match=message), db.transaction(catalogue) as s:
            contracts.add_interview(s, CODE, "NEW", contracts.InterviewFields("chef", "X", "2025-01-01", None, grades))
    with pytest.raises(Duplicate), db.transaction(catalogue) as s:
        contracts.add_interview(s, CODE, "I00", contracts.InterviewFields("chef", "X", "2025-01-01"))
    assert snapshot(catalogue) == before


def test_delivery_from_swedish_csv_and_from_xlsx(catalogue: Engine, tmp_path: Path) -> None:
    add_contract(catalogue)
    csv_path = tmp_path / "leverans.csv"
    csv_path.write_bytes(
        "Service;Period start;Period end;Sessions;Participants;Note\n"
        "individual_coaching;2024-01-01;2024-06-30;38;11;Vår\n"
        "group_coaching;2024-01-01;2024-06-30;2,5;;\n".encode("cp1252")
    )
    xlsx_path = tmp_path / "leverans.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["service", "period_start", "period_end", "sessions", "participants"])
    ws.append(["individual_coaching", "2024-07-01", "2024-12-31", 61, 17])
    wb.save(xlsx_path)
    with db.transaction(catalogue) as s:
        assert len(contracts.import_delivery(s, CODE, csv_path)) == 2
        assert len(contracts.import_delivery(s, CODE, xlsx_path)) == 1
    with db.reading(catalogue) as s:
        rows = contracts.describe_contract(s, CODE)["deliveries"]
        follow = contracts.follow_up(s, CODE)
    assert [(r["service"], r["sessions"], r["participants"], r["note"]) for r in rows] == [
        ("individual_coaching", 38.0, 11, "Vår"),
        ("group_coaching", 2.5, None, None),
        ("individual_coaching", 61.0, 17, None),
    ]
    individual = next(x for x in follow.services if x.format.value == "individual_coaching")
    # Delivered is the supplier's sum; logged is the call-off's session dates (VBY-COACH-2024 has 11).
    assert (individual.volume, individual.delivered, individual.participants, individual.logged_sessions) == (
        100.0,
        99.0,
        28,
        11,
    )
    # Importing the same summary again changes nothing: the periods are already there.
    before = snapshot(catalogue)
    duplicate = r"leverans.csv:2: delivery of individual_coaching from 2024-01-01"
    with pytest.raises(Duplicate, match=duplicate), db.transaction(catalogue) as s:
        contracts.import_delivery(s, CODE, csv_path)
    assert snapshot(catalogue) == before


HEAD = "service,period_start,period_end,sessions\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD
            + "individual_coaching,2024-01-01,2024-06-30,3\nleadership_group_development,2024-01-01,2024-06-30,3\n",
            r"d.csv:3: service 'leadership_group_development' is not in contract",
        ),
        (HEAD + "individual_coaching,2024-01-01,2023-06-30,3\n", r"d.csv:2: period end"),
        ("service,period_start,period_end,sessions,colour\n", r"d.csv:1: unknown column 'colour'"),
        ("service,period_start,sessions\n", r"d.csv:1: missing column 'period_end'"),
        (HEAD + "individual_coaching,2024-01-01,2024-06-30,many\n", r"d.csv:2: bad sessions 'many'"),
    ],
)
def test_bad_delivery_files_change_nothing(catalogue: Engine, tmp_path: Path, text: str, message: str) -> None:
    add_contract(catalogue)
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    before = snapshot(catalogue)
    with pytest.raises(InvalidInput, match=message), db.transaction(catalogue) as s:
        contracts.import_delivery(s, CODE, path)
    assert snapshot(catalogue) == before


def test_interview_and_quote_import(catalogue: Engine, tmp_path: Path) -> None:
    add_contract(catalogue, interviews=0)
    interviews = tmp_path / "intervjuer.csv"
    interviews.write_text(
        "interview;role;unit;date;interviewer;target_group_fit;feasibility;credibility;efficiency\n"
        "A1;rektor;Utbildningsförvaltningen;2025-11-04;Upphandling;5;4;5;\n"
        "A2;enhetschef;Socialförvaltningen;2025-11-05;;4;4;5;3\n",
        encoding="utf-8",
    )
    quotes = tmp_path / "citat.csv"
    quotes.write_text(
        'interview,theme,text,cleared\nA1,quality_outcome,"Bra, tydligt",ja\nA2,other,Nej,\n', encoding="utf-8"
    )
    with db.transaction(catalogue) as s:
        assert len(contracts.import_interviews(s, CODE, interviews)) == 2
        assert len(contracts.import_quotes(s, CODE, quotes)) == 2
    with db.reading(catalogue) as s:
        rows = contracts.list_interviews(s, CODE)
    assert rows[0]["grades"] == {"target_group_fit": 5, "feasibility": 4, "credibility": 5}
    assert rows[1]["grades"]["efficiency"] == 3 and rows[1]["interviewer"] is None
    assert rows[0]["quotes"] == [{"theme": "quality_outcome", "text": "Bra, tydligt", "cleared": True}]
    bad = tmp_path / "bad.csv"
    bad.write_text("interview,theme,text\nA9,other,Hej\n", encoding="utf-8")
    before = snapshot(catalogue)
    with pytest.raises(NotFound, match=r"bad.csv:2: no interview 'A9'"), db.transaction(catalogue) as s:
        contracts.import_quotes(s, CODE, bad)
    assert snapshot(catalogue) == before


@pytest.mark.parametrize("graders", [4, 5])
def test_threshold_hides_a_criterion_with_too_few_graders(catalogue: Engine, graders: int) -> None:
    add_contract(catalogue, interviews=6, graders_of_efficiency=graders)
    with db.reading(catalogue) as s:
        follow = contracts.follow_up(s, CODE, min_group=5)
    by_code = {c.code: c for c in follow.criteria}
    assert by_code["efficiency"].suppressed is (graders < 5)
    assert by_code["efficiency"].summary.n == graders
    assert not by_code["credibility"].suppressed


def test_follow_up_figures_against_numpy(catalogue: Engine) -> None:
    add_contract(catalogue)
    with db.reading(catalogue) as s:
        follow = contracts.follow_up(s, CODE)
    feasibility = next(c for c in follow.criteria if c.code == "feasibility").summary
    given = [3 + k % 3 for k in range(6)]
    assert feasibility.counts == tuple(int((np.array(given) == g).sum()) for g in range(1, 6))
    assert feasibility.mean == pytest.approx(np.mean(given))


def test_only_cleared_quotes_and_only_above_the_threshold(catalogue: Engine) -> None:
    add_contract(catalogue)
    with db.reading(catalogue) as s:
        follow = contracts.follow_up(s, CODE, min_group=5)
        few = contracts.follow_up(s, CODE, min_group=7)
    every = [q for qs in follow.quotes.values() for q in qs]
    assert sorted(every) == ["Cleared about treatment", "Require municipal experience", "They know the city"]
    assert few.quotes_withheld and not any(few.quotes.values())
