"""Adding to a contract in the browser: a delivery summary, interviews and their quotes from files
(upload -> preview -> confirm, the CLI's ``contract delivery import``, ``interview import`` and
``interview quote import``). Who may: a consultant who sees the contract; each route x each role x
the own / the other organisation's contract."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from kirkpatrick.services import contracts
from kirkpatrick.storage import db
from kirkpatrick.storage.accounts import AuditEvent
from kirkpatrick.storage.contracts import Delivery, Interview, InterviewQuote
from tests.conftest import snapshot
from tests.web.conftest import OWN, csrf

CODE, FOREIGN = "NRB-AVTAL", "VBY-AVTAL"
ROLES = ["admin", "consultant", "consultant_other", "hr", "hr_other", "client", "client_other"]
STEPS = ["delivery-import", "interviews-import", "quotes-import"]


@pytest.fixture
def contract(catalogue: Engine, people: dict[str, int]) -> None:
    with db.transaction(catalogue) as s:
        for code, buyer, call_off in ((CODE, "Norrby kommun", OWN), (FOREIGN, "Västerby stad", "VBY-KURS-2025")):
            fields = contracts.ContractFields(
                "KS 2024/17", "Ledarutveckling", buyer, "Konsult AB", "2024-01-01", "2025-12-31",
                services=("leadership_group_development=40",),
            )  # fmt: skip
            contracts.add_contract(s, code, fields)
            contracts.set_call_offs(s, code, [call_off])


@pytest.mark.usefixtures("contract")
@pytest.mark.parametrize("role", ROLES)
def test_contract_imports_matrix(as_user: Callable[[str | None], FlaskClient], role: str) -> None:
    client = as_user(role)
    own = {"consultant": 200, "hr": 403, "client": 403}.get(role, 404)
    other = {"consultant_other": 200, "hr_other": 403, "client_other": 403}.get(role, 404)
    for step in STEPS:
        assert client.get(f"/contracts/{CODE}/{step}").status_code == own, step
        assert client.get(f"/contracts/{FOREIGN}/{step}").status_code == other, step
        assert client.get(f"/contracts/NO-SUCH/{step}").status_code == 404, step
    assert as_user(None).get(f"/contracts/{CODE}/interviews-import").status_code == 302


def _upload(client: FlaskClient, step: str, data: str, token: str | None = None) -> str:
    path = f"/contracts/{CODE}/{step}"
    token = csrf(client, path) if token is None else token
    response = client.post(
        path, data={"csrf_token": token, "file": (io.BytesIO(data.encode()), f"{step}.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == (302 if token else 400)
    return client.get(f"{path}/preview").get_data(as_text=True) if token else ""


def _confirm(client: FlaskClient, step: str) -> int:
    token = csrf(client, f"/contracts/{CODE}")
    return client.post(f"/contracts/{CODE}/{step}/confirm", data={"csrf_token": token}).status_code


def _count(engine: Engine, model: type) -> int:
    with db.reading(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.usefixtures("contract")
def test_delivery_interviews_and_quotes_are_previewed_then_imported(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("consultant")
    assert "Import interviews" in client.get(f"/contracts/{CODE}").get_data(as_text=True)
    before = snapshot(catalogue)
    delivery = "service,period_start,period_end,sessions\nleadership_group_development,2024-01-01,2024-06-30,12\n"
    page = _upload(client, "delivery-import", delivery)
    assert re.search(r"<dt>Rows to import</dt><dd>1</dd>", page), page
    interviews = (
        "interview,role,unit,date,target_group_fit,feasibility\n"
        "I1,rektor,Skola A,2025-11-01,4,5\nI2,rektor,Skola B,2025-11-02,3,\n"
    )
    _upload(client, "interviews-import", interviews, token="")  # no CSRF token: refused
    assert snapshot(catalogue) == before  # nothing written before confirm
    assert _confirm(client, "interviews-import") == 400  # the pending file is the delivery summary
    _upload(client, "delivery-import", delivery)
    assert _confirm(client, "delivery-import") == 302
    page = _upload(client, "interviews-import", interviews)
    assert re.search(r"<dt>Interviews to import</dt><dd>2</dd>", page), page
    assert _confirm(client, "interviews-import") == 302
    bad = "interview,theme,text,cleared\nI1,treatment,Bra bemötande,true\nI9,treatment,Vem?,false\n"
    page = _upload(client, "quotes-import", bad)
    assert '<tr><td class="n">3</td><td>no interview &#39;I9&#39;' in page, page
    assert _confirm(client, "quotes-import") == 302
    assert _count(catalogue, InterviewQuote) == 0
    page = _upload(client, "quotes-import", bad.replace("I9", "I2"))
    assert re.search(r"<dt>Cleared for reports</dt><dd>1</dd>", page), page
    assert _confirm(client, "quotes-import") == 302
    assert (_count(catalogue, Delivery), _count(catalogue, Interview), _count(catalogue, InterviewQuote)) == (1, 2, 2)
    with db.reading(catalogue) as s:
        events = [(e.action, e.target) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert events == [("delivery_import", CODE), ("interview_import", CODE), ("contract_quote_import", CODE)]


@pytest.mark.usefixtures("contract")
def test_an_hr_user_cannot_confirm_into_a_contract(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("hr")
    token = csrf(client, "/audit")
    assert client.post(f"/contracts/{CODE}/interviews-import/confirm", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/contracts/{FOREIGN}/interviews-import/confirm", data={"csrf_token": token}).status_code == 404


NEW = {
    "code": "NRB-AVTAL-2",
    "registration_number": "KS 2026/3",
    "title": "Coachning",
    "buyer": "Norrby kommun",
    "supplier": "Konsult A AB",
    "start": "2026-01-01",
    "end": "2026-12-31",
    "scale": "1-5",
    "criteria": "target_group_fit=Målgruppsanpassning\nfeasibility",
    "services": "individual_coaching=30",
    "notes": "",
    "call_offs": OWN,
}


@pytest.mark.parametrize("role", ROLES)
def test_new_contract_matrix(as_user: Callable[[str | None], FlaskClient], people: dict[str, int], role: str) -> None:
    assert as_user(role).get("/contracts/new").status_code == (200 if role.startswith("consultant") else 403)


def test_a_new_contract_with_its_call_off_is_seen_by_its_consultant(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine, people: dict[str, int]
) -> None:
    client = as_user("consultant")
    token = csrf(client, "/contracts/new")
    before = snapshot(catalogue)
    page = client.post("/contracts/new", data={**NEW, "csrf_token": token, "call_offs": "VBY-KURS-2025"}).get_data(
        as_text=True
    )  # another consultancy's intervention reads as missing
    assert "no intervention with code &#39;VBY-KURS-2025&#39;" in page and 'id="call_offs-error"' in page, re.findall(
        r"class=.error.[^<]*", page
    )
    page = client.post("/contracts/new", data={**NEW, "csrf_token": token, "services": "sailing=3"}).get_data(
        as_text=True
    )
    assert 'id="services-error"' in page
    assert client.post("/contracts/new", data=NEW).status_code == 400  # no CSRF token
    assert snapshot(catalogue) == before
    assert client.post("/contracts/new", data={**NEW, "csrf_token": token}).status_code == 302
    assert "NRB-AVTAL-2" in client.get("/contracts").get_data(as_text=True)
    assert client.get("/contracts/NRB-AVTAL-2").status_code == 200
    assert as_user("consultant_other").get("/contracts/NRB-AVTAL-2").status_code == 404
    # The last call-off cannot go: without one no one could see the contract.
    path = "/contracts/NRB-AVTAL-2/call-offs"
    page = client.post(path, data={"csrf_token": token, "call_offs": OWN, "remove": "y"}).get_data(as_text=True)
    assert "keeps one call-off at least" in page
    assert as_user("consultant_other").get(path).status_code == 404
    assert as_user("hr").get(path).status_code == 403
    with db.reading(catalogue) as s:
        events = [(e.action, e.target, e.detail) for e in s.scalars(select(AuditEvent))]
    assert events == [("contract_add", "NRB-AVTAL-2", OWN)]
