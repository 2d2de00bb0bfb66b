"""The contract follow-up pages: who sees which contract (authz.sees_contract), the details
page, the report in the page and as a download, and that uncleared quotes never appear."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from kirkpatrick.services import contracts
from kirkpatrick.storage import db
from kirkpatrick.web.security import REPORT_CSP
from tests.web.conftest import OWN, without_tokens

CODE = "NRB-AVTAL"
FOREIGN = "VBY-AVTAL"
ROLES = ["admin", "consultant", "consultant_other", "hr", "hr_other", "client", "client_other"]
OWN_ROLES = {"consultant", "hr", "client"}
ROUTES = ["/contracts/{code}", "/contracts/{code}/report", "/contracts/{code}/report.html"]


def _fields(buyer: str) -> contracts.ContractFields:
    return contracts.ContractFields(
        registration_number="KS 2024/17",
        title="Ledarutveckling",
        buyer=buyer,
        supplier="Konsult A AB",
        start="2024-01-01",
        end="2025-12-31",
        services=("leadership_group_development=40",),
    )


@pytest.fixture
def contract(catalogue: Engine, people: dict[str, int]) -> None:
    with db.transaction(catalogue) as s:
        contracts.add_contract(s, CODE, _fields("Norrby kommun"))
        contracts.set_call_offs(s, CODE, [OWN])
        for k in range(6):
            grades = {"target_group_fit": str(4 + k % 2), "feasibility": "4", "credibility": "5"}
            fields = contracts.InterviewFields("rektor", f"Enhet {k % 2}", f"2025-11-{k + 1:02d}", None, grades)
            contracts.add_interview(s, CODE, f"I{k:02d}", fields)
        contracts.add_quote(s, CODE, "I00", "Cleared about treatment", theme="treatment", cleared=True)
        contracts.add_quote(s, CODE, "I01", "SECRET not cleared", theme="treatment", cleared=False)
        contracts.add_contract(s, FOREIGN, _fields("Västerby stad"))
        contracts.set_call_offs(s, FOREIGN, ["VBY-KURS-2025"])


@pytest.mark.usefixtures("contract")
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_own_contracts(as_user: Callable[[str | None], FlaskClient], role: str) -> None:
    response = as_user(role).get("/contracts")
    if role == "admin":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert (CODE in text) == (role in OWN_ROLES)
    assert (FOREIGN in text) == (role not in OWN_ROLES)


@pytest.mark.usefixtures("contract")
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_show_and_report_only_for_own(as_user: Callable[[str | None], FlaskClient], role: str, route: str) -> None:
    client = as_user(role)
    response = client.get(route.format(code=CODE))
    assert response.status_code == (200 if role in OWN_ROLES else 404)
    unknown = client.get(route.format(code="NO-SUCH-CONTRACT"))
    assert unknown.status_code == 404
    if role not in OWN_ROLES:  # foreign answers exactly like unknown (but for the page's own address)
        foreign = without_tokens(response.get_data(as_text=True)).replace(CODE, "X")
        assert foreign == without_tokens(unknown.get_data(as_text=True)).replace("NO-SUCH-CONTRACT", "X")


@pytest.mark.usefixtures("contract")
@pytest.mark.parametrize("route", ["/contracts", *ROUTES])
def test_anonymous_is_sent_to_sign_in(as_user: Callable[[str | None], FlaskClient], route: str) -> None:
    response = as_user(None).get(route.format(code=CODE))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.usefixtures("contract")
def test_details_page(as_user: Callable[[str | None], FlaskClient]) -> None:
    text = as_user("hr").get(f"/contracts/{CODE}").get_data(as_text=True)
    for expected in ("KS 2024/17", "Konsult A AB", OWN, f"/contracts/{CODE}/report", f"/contracts/{CODE}/report.html"):
        assert expected in text
    assert "SECRET" not in text
    assert 'href="/contracts"' in text  # the navigation link


@pytest.mark.usefixtures("contract")
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_page_never_shows_uncleared_quotes(as_user: Callable[[str | None], FlaskClient], lang: str) -> None:
    client = as_user("consultant")
    with client.session_transaction() as session:
        session["lang"] = lang
    response = client.get(f"/contracts/{CODE}/report")
    assert response.headers["Content-Security-Policy"] == REPORT_CSP
    text = response.get_data(as_text=True)
    assert f'lang="{lang}"' in text
    assert "Cleared about treatment" in text
    assert "SECRET" not in text
    download = client.get(f"/contracts/{CODE}/report.html")
    assert "attachment" in download.headers["Content-Disposition"]
    assert "SECRET" not in download.get_data(as_text=True)


def test_a_contract_with_a_foreign_call_off_is_seen_by_no_one(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine, contract: None
) -> None:
    with db.transaction(catalogue) as s:
        contracts.set_call_offs(s, CODE, ["VBY-COACH-2024"])
    for role in ROLES:
        assert as_user(role).get(f"/contracts/{CODE}").status_code == 404, role
