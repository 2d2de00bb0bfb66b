"""The authorisation matrix: every route x every role x own / other organisation.

Expected outcomes are written out here, not derived from the code under test. A foreign
intervention answers 404 exactly like a missing one; a route of one's own organisation that the
role may not use answers 403; nobody signed in is sent to the sign-in page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import OWN, csrf

ROLES = ["admin", "consultant", "consultant_other", "hr", "hr_other", "client", "client_other"]
# Intervention routes (GET) and the roles that may use them on their own organisation's intervention.
INTERVENTION_ROUTES = {
    "/i/{code}": {"consultant", "hr", "client"},
    "/i/{code}/report": {"consultant", "hr", "client"},
    "/i/{code}/download.html": {"consultant", "hr", "client"},
    "/i/{code}/download.xlsx": {"consultant", "hr"},
    "/i/{code}/import": {"consultant", "hr"},
    "/i/{code}/erase": {"consultant", "hr"},
    "/i/{code}/edit": {"consultant"},
    "/i/{code}/sessions": {"consultant"},
    "/i/{code}/factors": {"consultant"},
    "/i/{code}/quotes": {"consultant"},
    "/i/{code}/success-cases": {"consultant"},
    "/i/{code}/survey": {"consultant", "hr"},
    "/i/{code}/survey/questions": {"consultant", "hr"},
    "/i/{code}/survey/mail": {"consultant", "hr"},
}
OWNS_NRB = {"consultant", "hr", "client"}
AREA_ROUTES = {
    "/new": {"consultant"},
    "/portfolio": {"consultant"},
    "/portfolio/report": {"consultant"},
    "/portfolio/download.html": {"consultant"},
    "/portfolio/download.xlsx": {"consultant"},
    "/portfolio/download.csv": {"consultant"},
    "/audit": {"consultant", "hr", "admin"},
    "/admin/users": {"admin"},
    "/admin/organisations": {"admin"},
    "/contracts": {"consultant", "hr", "client"},
}


@pytest.mark.parametrize("route", list(INTERVENTION_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_intervention_routes(as_user: Callable[[str | None], FlaskClient], role: str, route: str) -> None:
    client = as_user(role)
    status = client.get(route.format(code=OWN)).status_code
    if role not in OWNS_NRB:
        assert status == 404, "another organisation's intervention must look missing"
    elif role in INTERVENTION_ROUTES[route]:
        assert status == 200
    else:
        assert status == 403
    # A code that does not exist answers the same as a foreign one.
    assert client.get(route.format(code="NO-SUCH-CODE")).status_code == 404


@pytest.mark.parametrize("route", list(AREA_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_area_routes(as_user: Callable[[str | None], FlaskClient], role: str, route: str) -> None:
    status = as_user(role).get(route).status_code
    assert status == (200 if role.removesuffix("_other") in AREA_ROUTES[route] else 403)


@pytest.mark.parametrize("route", [*INTERVENTION_ROUTES, *AREA_ROUTES, "/"])
def test_anonymous_is_sent_to_sign_in(as_user: Callable[[str | None], FlaskClient], route: str) -> None:
    response = as_user(None).get(route.format(code=OWN))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_start_page_lists_only_own(as_user: Callable[[str | None], FlaskClient], role: str) -> None:
    response = as_user(role).get("/", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert (OWN in text) == (role in OWNS_NRB)
    assert ("VBY-KURS-2025" in text) == (role in {"consultant_other", "hr_other", "client_other"})


@pytest.mark.parametrize("role", ROLES)
def test_posts_follow_the_same_rules(as_user: Callable[[str | None], FlaskClient], role: str) -> None:
    client = as_user(role)
    token = csrf(client, "/audit" if role != "client" and role != "client_other" else "/")
    posts = {
        f"/i/{OWN}/share": ({"days": "7", "lang": "sv"}, {"consultant", "hr"}),
        f"/i/{OWN}/sessions": ({"date": "2026-01-05"}, {"consultant"}),
        f"/i/{OWN}/erase": ({"erase-csrf_token": token, "erase-participant": "NOBODY"}, {"consultant", "hr"}),
        f"/i/{OWN}/survey/questions/questionnaire": ({"c-csrf_token": token}, {"consultant", "hr"}),
        f"/i/{OWN}/survey/questions/add": (
            {
                "b-csrf_token": token,
                "b-code": "own_open",
                "b-kind": "open",
                "b-text_sv": "Vad?",
                "b-text_en": "What?",
                "b-measure": "",
                "b-level": "",
            },
            {"consultant"},
        ),
        f"/i/{OWN}/survey/mail": (
            {"m-csrf_token": token, "m-subject": "s", "m-body": "$link", "action": "preview"},
            {"consultant", "hr"},
        ),
    }
    for path, (data, allowed) in posts.items():
        status = client.post(path, data={"csrf_token": token, **data}).status_code
        if role not in OWNS_NRB:
            assert status == 404, path
        elif role in allowed:
            # The questionnaire editor: the empty choice is a form error, after the rule let it through.
            assert status in ((400,) if path.endswith("/questionnaire") else (200, 302)), path
        else:
            assert status == 403, path


@pytest.mark.parametrize("role", ["consultant", "hr"])
def test_another_organisations_bank_question_is_like_a_missing_one(
    as_user: Callable[[str | None], FlaskClient], role: str
) -> None:
    """Konsult B's own question, on the questions page of an intervention run by Konsult A: not
    listed, and choosing it (by its code, as the form posts it) answers as a code nobody has."""
    other = as_user("consultant_other")
    page_b = "/i/VBY-KURS-2025/survey/questions"
    added = other.post(
        f"{page_b}/add",
        data={
            "b-csrf_token": csrf(other, page_b),
            "b-code": "b_hemlig",
            "b-kind": "open",
            "b-text_sv": "B:s hemliga fråga",
            "b-text_en": "B's secret question",
            "b-measure": "",
            "b-level": "",
        },
    )
    assert added.status_code == 302
    client = as_user(role)
    page = f"/i/{OWN}/survey/questions"
    shown = client.get(page).get_data(as_text=True)
    assert "b_hemlig" not in shown and "secret question" not in shown

    def choose(code: str) -> tuple[int, str]:
        data = {"c-csrf_token": csrf(client, page), "wave": "pre", "rater": "self", "questions": [code]}
        response = client.post(f"{page}/questionnaire", data=data)
        body = re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))  # csrf tokens
        return response.status_code, body.replace(code, "CODE")

    refused, missing = choose("b_hemlig"), choose("no_such_code")
    assert refused == missing and refused[0] == 400 and "Choose at least one question" in refused[1]
