"""The forms that close the gap with the CLI: the measures catalogue, clients, a participant's group
and role, feedback files (upload -> preview -> confirm) and editing a user.

Each route: GET, a valid POST (the change and its audit entry), an invalid POST (an error tied to
its field, nothing changed) and a POST without a CSRF token (refused, nothing changed).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from kirkpatrick.io.pipeline import ImportOptions, import_measurements
from kirkpatrick.services import accounts
from kirkpatrick.storage import db
from kirkpatrick.storage.accounts import AuditEvent, User
from kirkpatrick.storage.models import AnalysisVersion, Client, Feedback, Intervention, Measure, Participant
from tests.conftest import SAMPLE, snapshot
from tests.web.conftest import OWN, PASSWORD, csrf

LONG = (
    "participant,measure,wave,rater,value\n"
    "P1,knowledge,pre,self,10\nP1,knowledge,post,self,14\nP2,knowledge,pre,self,9\n"
)


def _values(engine: Engine, tmp_path: Path, code: str = OWN) -> None:
    """A few knowledge scores for ``code`` (through the importer the CLI uses)."""
    path = tmp_path / f"{code}.csv"
    path.write_text(LONG, encoding="utf-8")
    import_measurements(engine, path, ImportOptions(intervention=code))


def _audits(engine: Engine, action: str) -> list[tuple[str | None, str | None]]:
    with db.reading(engine) as s:
        return [(e.target, e.detail) for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def _version(engine: Engine, code: str = OWN) -> int:
    with db.reading(engine) as s:
        iid = s.scalar(select(Intervention.id).where(Intervention.code == code))
        return int(s.scalar(select(AnalysisVersion.version).where(AnalysisVersion.intervention_id == iid)) or 0)


def _error_tied_to(page: str, field: str) -> str:
    """The error text of ``field``, after checking that the field points at it."""
    tag = re.search(rf'<(?:input|select|textarea)[^>]*id="{field}"[^>]*>', page)
    assert tag, page
    assert f"{field}-error" in (re.search(r'aria-describedby="([^"]+)"', tag.group(0)) or ["", ""])[1]
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert found, page
    return html.unescape(found.group(1))


def _labelled(page: str) -> None:
    """Every visible input, select and textarea has a label."""
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", page):
        if 'type="hidden"' in tag:
            continue
        ident = re.search(r'id="([^"]+)"', tag)
        assert ident and f'for="{ident.group(1)}"' in page, tag


MEASURE = {
    "code": "trygghet",
    "name": "Psykologisk trygghet",
    "level": "behaviour",
    "scale_min": "1",
    "scale_max": "5",
    "higher_is_better": "y",
    "reliability": "0,81",
    "items": "pt_1 -pt_2 pt_3",
    "wording": "Jag kan ta upp problem i gruppen\nI can raise problems in the team",
    "labels": "Instämmer inte alls\nInstämmer inte\nNeutral\nInstämmer\nInstämmer helt",
    "no_answer": "Vet ej",
    "item_wording": "pt_2 | Man blir straffad för misstag | You are punished for mistakes",
}


# ---------------------------------------------------------------- measures


def test_add_a_measure_with_items_wording_and_labels(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("consultant")
    page = client.get("/measures/new").get_data(as_text=True)
    _labelled(page)
    assert 'aria-describedby="items-hint"' in page
    response = client.post("/measures/new", data={"csrf_token": csrf(client, "/measures/new"), **MEASURE})
    assert response.status_code == 302
    with db.reading(catalogue) as s:
        m = s.scalars(select(Measure).where(Measure.code == "trygghet")).one()
        assert (m.name, m.level.value, m.scale_min, m.scale_max, m.reliability) == (
            "Psykologisk trygghet", "behaviour", 1.0, 5.0, 0.81,
        )  # fmt: skip
        assert [(it.code, it.reverse) for it in m.items] == [("pt_1", False), ("pt_2", True), ("pt_3", False)]
        assert m.wording == "Jag kan ta upp problem i gruppen\nI can raise problems in the team"
        assert m.labels is not None and m.labels.split("\n")[0] == "Instämmer inte alls" and m.no_answer == "Vet ej"
        assert m.items[1].wording == "Man blir straffad för misstag\nYou are punished for mistakes"
    assert _audits(catalogue, "measure_add") == [("trygghet", "behaviour")]
    assert "Psykologisk trygghet" in client.get("/measures").get_data(as_text=True)


def test_a_bad_measure_shows_the_error_and_changes_nothing(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("consultant")
    before = snapshot(catalogue)
    token = csrf(client, "/measures/new")
    three_labels = {**MEASURE, "labels": "Låg\nMellan\nHög"}
    page = client.post("/measures/new", data={"csrf_token": token, **three_labels}).get_data(as_text=True)
    assert "3 answer labels for a scale of 1 to 5" in _error_tied_to(page, "labels")
    unknown_item = {**MEASURE, "item_wording": "pt_9 | Finns inte"}
    page = client.post("/measures/new", data={"csrf_token": token, **unknown_item}).get_data(as_text=True)
    assert "has no item 'pt_9'" in _error_tied_to(page, "item_wording")
    page = client.post("/measures/new", data={"csrf_token": token, **MEASURE, "name": ""}).get_data(as_text=True)
    assert _error_tied_to(page, "name").strip() == "This field is required."
    assert client.post("/measures/new", data=MEASURE).status_code == 400  # no CSRF token
    assert snapshot(catalogue) == before


def test_edit_a_measure_keeps_its_meaning_while_values_use_it(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine, tmp_path: Path
) -> None:
    _values(catalogue, tmp_path)
    client = as_user("consultant")
    page = client.get("/measures/knowledge/edit").get_data(as_text=True)
    assert 'value="Kunskapstest i ledarskap"' in page and "cannot change" in page
    _labelled(page)
    token = csrf(client, "/measures/knowledge/edit")
    form = {"csrf_token": token, "name": "Kunskapstest", "level": "learning", "scale_min": "0", "scale_max": "20",
            "higher_is_better": "y", "reliability": "0.8", "items": "", "wording": "", "labels": "",
            "no_answer": "", "item_wording": ""}  # fmt: skip
    before, version = snapshot(catalogue), _version(catalogue)
    page = client.post("/measures/knowledge/edit", data={**form, "scale_max": "25"}).get_data(as_text=True)
    assert "cannot change while values" in _error_tied_to(page, "level")
    assert client.post("/measures/knowledge/edit", data={**form, "csrf_token": ""}).status_code == 400
    assert snapshot(catalogue) == before
    assert client.post("/measures/knowledge/edit", data=form).status_code == 302
    with db.reading(catalogue) as s:
        m = s.scalars(select(Measure).where(Measure.code == "knowledge")).one()
        assert (m.name, m.reliability, m.scale_max) == ("Kunskapstest", 0.8, 20.0)
    assert _version(catalogue) == version + 1  # reliability enters the statistics: cached results are stale
    assert _audits(catalogue, "measure_edit") == [("knowledge", None)]


def test_items_of_an_unused_measure_can_change_and_keep_their_wording(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("consultant")
    client.post("/measures/new", data={"csrf_token": csrf(client, "/measures/new"), **MEASURE})
    token = csrf(client, "/measures/trygghet/edit")
    changed = {**MEASURE, "items": "-pt_2 pt_4", "item_wording": "pt_4 | Ny fråga"}
    del changed["code"]
    assert client.post("/measures/trygghet/edit", data={"csrf_token": token, **changed}).status_code == 302
    with db.reading(catalogue) as s:
        m = s.scalars(select(Measure).where(Measure.code == "trygghet")).one()
        got = [(it.position, it.code, it.reverse, it.wording) for it in m.items]
    assert got == [(0, "pt_2", True, "Man blir straffad för misstag\nYou are punished for mistakes"),
                   (1, "pt_4", False, "Ny fråga")]  # fmt: skip


# ---------------------------------------------------------------- clients


def test_a_client_is_added_and_edited_without_an_intervention(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("admin")
    page = client.get("/clients/new").get_data(as_text=True)
    _labelled(page)
    token = csrf(client, "/clients/new")
    assert client.post("/clients/new", data={"name": "Österby kommun"}).status_code == 400  # no CSRF token
    response = client.post("/clients/new", data={"csrf_token": token, "name": "Österby kommun", "unit": "HR"})
    assert response.status_code == 302
    before = snapshot(catalogue)
    page = client.post("/clients/new", data={"csrf_token": token, "name": "Österby kommun"}).get_data(as_text=True)
    assert "already exists" in _error_tied_to(page, "name")
    assert snapshot(catalogue) == before
    with db.reading(catalogue) as s:
        added = s.scalars(select(Client).where(Client.name == "Österby kommun")).one()
        assert added.unit == "HR" and not added.interventions
    path = f"/clients/{added.id}/edit"
    assert 'value="Österby kommun"' in client.get(path).get_data(as_text=True)
    page = client.post(path, data={"csrf_token": token, "name": "Norrby kommun, Socialkontoret"}).get_data(as_text=True)
    assert "already exists" in _error_tied_to(page, "name")
    response = client.post(path, data={"csrf_token": token, "name": "Österby kommun", "unit": "Socialtjänsten"})
    assert response.status_code == 302
    with db.reading(catalogue) as s:
        assert s.get(Client, added.id).unit == "Socialtjänsten"  # type: ignore[union-attr]
    assert [t for t, _d in _audits(catalogue, "client_add")] == ["Österby kommun"]
    assert [t for t, _d in _audits(catalogue, "client_edit")] == ["Österby kommun"]


def test_a_consultant_sees_only_clients_their_consultancy_works_for(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    page = as_user("consultant").get("/clients").get_data(as_text=True)
    assert "Norrby kommun, Socialkontoret" in page and "Västerby" not in page
    page = as_user("consultant_other").get("/clients").get_data(as_text=True)
    assert "Västerby stad, Utbildningsförvaltningen" in page and "Norrby" not in page


# ---------------------------------------------------------------- participants


def test_a_participants_group_and_role_are_edited(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine, tmp_path: Path
) -> None:
    _values(catalogue, tmp_path)
    with db.reading(catalogue) as s:
        p1 = s.scalars(select(Participant).where(Participant.code == "P1")).one().id
    client = as_user("consultant")
    listing = client.get(f"/i/{OWN}/participants").get_data(as_text=True)
    assert "P1" in listing and "P2" in listing
    path = f"/i/{OWN}/participants/{p1}"
    _labelled(client.get(path).get_data(as_text=True))
    token = csrf(client, path)
    before, version = snapshot(catalogue), _version(catalogue)
    page = client.post(path, data={"csrf_token": token, "group": "control", "role": "x" * 101}).get_data(as_text=True)
    assert _error_tied_to(page, "role").strip() == "The text is too long."
    assert client.post(path, data={"group": "control", "role": "chef"}).status_code == 400  # no CSRF token
    assert snapshot(catalogue) == before
    assert client.post(path, data={"csrf_token": token, "group": "control", "role": "enhetschef"}).status_code == 302
    with db.reading(catalogue) as s:
        p = s.get(Participant, p1)
        assert p is not None and (p.group.value, p.role) == ("control", "enhetschef")
    assert _version(catalogue) == version + 1  # the group decides the comparison: cached results are stale
    assert _audits(catalogue, "participant_edit") == [(OWN, "P1: control, enhetschef")]


def test_a_participant_of_another_intervention_is_missing(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine, tmp_path: Path
) -> None:
    _values(catalogue, tmp_path, "VBY-KURS-2025")
    with db.reading(catalogue) as s:
        theirs = s.scalars(select(Participant.id)).first()
    client = as_user("consultant")
    assert client.get(f"/i/{OWN}/participants/{theirs}").status_code == 404
    token = csrf(client, f"/i/{OWN}/participants")
    assert (
        client.post(f"/i/{OWN}/participants/{theirs}", data={"csrf_token": token, "group": "control"}).status_code
        == 404
    )
    assert client.get(f"/i/{OWN}/participants/999999").status_code == 404


# ---------------------------------------------------------------- feedback files


def _send(client: FlaskClient, name: str, data: bytes, token: str | None = None) -> int:
    token = csrf(client, f"/i/{OWN}/feedback-import") if token is None else token
    fields = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    return client.post(f"/i/{OWN}/feedback-import", data=fields, content_type="multipart/form-data").status_code


def _quotes(engine: Engine) -> int:
    with db.reading(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Feedback)) or 0)


def test_feedback_file_is_previewed_then_imported_on_confirm(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    lines = (SAMPLE / "feedback.csv").read_text(encoding="utf-8").splitlines()
    own = [lines[0], *(line for line in lines[1:] if line.startswith(OWN))]
    cleared = sum(line.rstrip().endswith(",true") for line in own[1:])
    client = as_user("consultant")
    _labelled(client.get(f"/i/{OWN}/feedback-import").get_data(as_text=True))
    before = snapshot(catalogue)
    assert _send(client, "citat.csv", "\n".join(own).encode()) == 302
    page = client.get(f"/i/{OWN}/feedback-import/preview").get_data(as_text=True)
    assert "citat.csv" in page and "Confirm the import" in page
    assert re.search(rf"<dt>Quotes to import</dt><dd>{len(own) - 1}</dd>", page), page
    assert re.search(rf"<dt>Cleared for reports</dt><dd>{cleared}</dd>", page), page
    assert snapshot(catalogue) == before  # nothing written before confirm
    assert client.post(f"/i/{OWN}/feedback-import/confirm").status_code == 400  # no CSRF token
    token = csrf(client, f"/i/{OWN}/feedback-import/preview")
    assert client.post(f"/i/{OWN}/feedback-import/confirm", data={"csrf_token": token}).status_code == 302
    assert _quotes(catalogue) == len(own) - 1
    assert _audits(catalogue, "feedback_import") == [(OWN, f"citat.csv: {len(own) - 1} quotes, {cleared} cleared")]


def test_a_bad_feedback_file_shows_its_line_and_writes_nothing(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    data = (SAMPLE / "feedback.csv").read_bytes()  # rows of other interventions too
    first_other = next(
        n for n, line in enumerate(data.decode().splitlines(), start=1) if n > 1 and not line.startswith(OWN)
    )
    client = as_user("consultant")
    before = snapshot(catalogue)
    assert _send(client, "alla.csv", data) == 302
    page = client.get(f"/i/{OWN}/feedback-import/preview").get_data(as_text=True)
    assert f'<tr><td class="n">{first_other}</td><td>row is for' in page
    assert "Confirm the import" not in page
    token = csrf(client, f"/i/{OWN}/feedback-import/preview")
    assert client.post(f"/i/{OWN}/feedback-import/confirm", data={"csrf_token": token}).status_code == 302
    assert snapshot(catalogue) == before
    page = client.post(
        f"/i/{OWN}/feedback-import",
        data={"csrf_token": token, "file": (io.BytesIO(b"x"), "citat.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Use a .csv, .tsv or .xlsx file." in _error_tied_to(page, "file")
    assert _send(client, "citat.csv", data, token="") == 400  # no CSRF token
    assert snapshot(catalogue) == before


def _send_to(client: FlaskClient, path: str, name: str, data: bytes) -> str:
    token = csrf(client, path)
    response = client.post(
        path, data={"csrf_token": token, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    return client.get(f"{path}/preview").get_data(as_text=True)


def test_a_catalogue_file_is_previewed_then_imported(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    good = (
        "code,name,level,scale_min,scale_max,items,wording,labels\n"
        "trygghet,Psykologisk trygghet,behaviour,1,3,pt_1 -pt_2,Jag vågar | I dare,Nej | Kanske | Ja\n"
        "trygghet.pt_2,,,,,,Man straffas | You are punished,\n"
        "motiv,Motivation,reaction,1,5,,,\n"
    )
    client = as_user("consultant")
    before = snapshot(catalogue)
    page = _send_to(client, "/measures/import", "katalog.csv", good.encode())
    assert re.search(r"<dt>Measures to import</dt><dd>2</dd>", page), page
    assert snapshot(catalogue) == before
    bad = good.replace("motiv,Motivation,reaction,1,5", "motiv,Motivation,reaction,5,1")
    page = _send_to(client, "/measures/import", "fel.csv", bad.encode())
    assert '<tr><td class="n">4</td><td>measure motiv: scale_max 1 must be above scale_min 5' in page, page
    assert "Confirm the import" not in page
    token = csrf(client, "/measures/import/preview")
    assert client.post("/measures/import/confirm", data={"csrf_token": token}).status_code == 302
    assert snapshot(catalogue) == before  # the bad file was refused on confirm too
    _send_to(client, "/measures/import", "katalog.csv", good.encode())
    assert client.post("/measures/import/confirm").status_code == 400  # no CSRF token
    assert client.post("/measures/import/confirm", data={"csrf_token": token}).status_code == 302
    with db.reading(catalogue) as s:
        m = s.scalars(select(Measure).where(Measure.code == "trygghet")).one()
        assert (m.labels, m.items[1].reverse, m.items[1].wording) == (
            "Nej\nKanske\nJa",
            True,
            "Man straffas\nYou are punished",
        )
    assert _audits(catalogue, "measure_import") == [(None, "katalog.csv: 2 measures")]


def test_interventions_imported_from_a_file_are_run_by_the_uploaders_consultancy(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    rows = (
        "code,client,title,target_group,format,start,end,factors,sessions\n"
        "NY-1,Österby kommun,Kurs ett,managers,training_programme,2026-01-10,2026-03-01,needs_analysis,"
        "2026-01-10 2026-02-01\n"
        "NY-2,Österby kommun,Kurs två,managers,training_programme,2026-02-10,2026-04-01,,\n"
    )
    client = as_user("consultant")
    page = _send_to(client, "/interventions/import", "insatser.csv", rows.encode())
    assert re.search(r"<dt>Interventions to import</dt><dd>2</dd>", page), page
    token = csrf(client, "/interventions/import/preview")
    assert client.post("/interventions/import/confirm", data={"csrf_token": token}).status_code == 302
    start = client.get("/").get_data(as_text=True)
    assert "NY-1" in start and "NY-2" in start
    assert "NY-1" not in as_user("consultant_other").get("/").get_data(as_text=True)
    assert client.get("/i/NY-1").status_code == 200
    dup = _send_to(client, "/interventions/import", "igen.csv", rows.encode())
    assert '<tr><td class="n">2</td><td>intervention &#39;NY-1&#39; already exists' in dup, dup
    assert _audits(catalogue, "intervention_import") == [(None, "insatser.csv: 2 interventions")]


# ---------------------------------------------------------------- users


def test_an_admin_edits_a_user_and_resets_the_password(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine, people: dict[str, int]
) -> None:
    client = as_user("admin")
    path = f"/admin/users/{people['hr']}/edit"
    page = client.get(path).get_data(as_text=True)
    _labelled(page)
    assert 'value="hr@norrby.example"' in page and 'type="password"' in page
    token = csrf(client, path)
    before = snapshot(catalogue)
    taken = {"csrf_token": token, "email": "chef@norrby.example", "role": "hr", "organisation": "Norrby kommun"}
    assert "already exists" in _error_tied_to(client.post(path, data=taken).get_data(as_text=True), "email")
    short = {**taken, "email": "hr@norrby.example", "password": "kort"}
    assert "at least 10 characters" in _error_tied_to(client.post(path, data=short).get_data(as_text=True), "password")
    assert client.post(path, data={**short, "csrf_token": "", "password": ""}).status_code == 400
    assert snapshot(catalogue) == before
    new = {**taken, "email": "analys@norrby.example", "role": "client", "password": "ett nytt lösenord"}
    assert client.post(path, data=new).status_code == 302
    with db.transaction(catalogue) as s:
        user = s.get(User, people["hr"])
        assert user is not None and (user.email, user.role.value) == ("analys@norrby.example", "client")
        assert user.session_version == 1  # signed out everywhere
        assert accounts.authenticate(s, "analys@norrby.example", "ett nytt lösenord", "test") is not None
        assert accounts.authenticate(s, "analys@norrby.example", PASSWORD, "test") is None
    events = _audits(catalogue, "user_edit")
    assert events == [("analys@norrby.example", "e-mail, role, password: client, Norrby kommun")]
    assert "ett nytt" not in str(events)
    assert client.get("/admin/users/999999/edit").status_code == 404


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_new_pages_speak_the_users_language(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine, lang: str
) -> None:
    client = as_user("consultant")
    with client.session_transaction() as session:
        session["lang"] = lang
    page = client.get("/measures/new").get_data(as_text=True)
    assert ("Nytt mått" in page) == (lang == "sv") and ("New measure" in page) == (lang == "en")
    page = client.get(f"/i/{OWN}/feedback-import").get_data(as_text=True)
    assert ("Importera citat" in page) == (lang == "sv")


def test_what_was_typed_is_escaped_in_an_error(as_user: Callable[[str | None], FlaskClient], catalogue: Engine) -> None:
    client = as_user("admin")
    token = csrf(client, "/clients/new")
    client.post("/clients/new", data={"csrf_token": token, "name": "<b>Ö</b>"})
    page = client.post("/clients/new", data={"csrf_token": token, "name": "<b>Ö</b>"}).get_data(as_text=True)
    assert "'<b>Ö</b>' already exists" in _error_tied_to(page, "name")
    assert "&lt;b&gt;Ö&lt;/b&gt;" in page and "<b>Ö</b>" not in page
