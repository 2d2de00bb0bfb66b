"""The authorisation matrix: every route x every role x own / other organisation.

Expected outcomes are written out here, not derived from the code under test. A foreign
intervention answers 404 exactly like a missing one; a route of one's own organisation that the
role may not use answers 403; nobody signed in is sent to the sign-in page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from kirkpatrick.storage import db
from kirkpatrick.storage.models import Client, Intervention, Participant
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
    "/i/{code}/participants": {"consultant"},
    "/i/{code}/feedback-import": {"consultant"},
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
    "/measures": {"consultant"},
    "/measures/new": {"consultant"},
    "/measures/import": {"consultant"},
    "/interventions/import": {"consultant"},
    "/contracts/new": {"consultant"},
    "/clients": {"consultant", "admin"},
    "/clients/new": {"consultant", "admin"},
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
        f"/i/{OWN}/feedback-import/cancel": ({}, {"consultant"}),
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


# ---------------------------------------------------------------- routes with a second id
# A measure, a client, a participant and a user: each route x each role x the own / the other
# organisation's object, and an id that does not exist. Expected statuses are written out.


@pytest.fixture
def ids(catalogue: Engine, people: dict[str, int], tmp_path: Path) -> dict[str, int]:
    """Values on "knowledge" from the own intervention and on "usefulness" from the other's; their
    participants; the two clients; the users."""
    from kirkpatrick.io.pipeline import ImportOptions, import_measurements

    for code, measure in ((OWN, "knowledge"), ("VBY-KURS-2025", "usefulness")):
        path = tmp_path / f"{code}.csv"
        path.write_text(f"participant,measure,wave,rater,value\nP1,{measure},pre,self,5\n", encoding="utf-8")
        import_measurements(catalogue, path, ImportOptions(intervention=code))
    with db.reading(catalogue) as s:
        found = {
            f"participant_{i.code}": p.id for p, i in s.execute(select(Participant, Intervention).join(Intervention))
        }
        for c in s.scalars(select(Client)):
            found["client_own" if c.name.startswith("Norrby") else "client_other"] = c.id
    return {**found, **{f"user_{k}": v for k, v in people.items()}}


MEASURE_EDIT = {  # /measures/<code>/edit: own values, the other's values, no values, no such measure
    "knowledge": {"consultant": 200, "consultant_other": 403},
    "usefulness": {"consultant": 403, "consultant_other": 200},
    "satisfaction": {"consultant": 200, "consultant_other": 200},
    "NO-SUCH-MEASURE": {"consultant": 404, "consultant_other": 404},
}


@pytest.mark.parametrize("role", ROLES)
def test_measure_edit(as_user: Callable[[str | None], FlaskClient], ids: dict[str, int], role: str) -> None:
    client = as_user(role)
    for code, expected in MEASURE_EDIT.items():
        assert client.get(f"/measures/{code}/edit").status_code == expected.get(role, 403), code


@pytest.mark.parametrize("role", ROLES)
def test_client_edit(as_user: Callable[[str | None], FlaskClient], ids: dict[str, int], role: str) -> None:
    expected = {
        "client_own": {"admin": 200, "consultant": 200, "consultant_other": 404},
        "client_other": {"admin": 200, "consultant": 404, "consultant_other": 200},
    }
    client = as_user(role)
    for key, statuses in expected.items():
        assert client.get(f"/clients/{ids[key]}/edit").status_code == statuses.get(role, 403), key
    missing = client.get("/clients/999999/edit").status_code
    assert missing == (404 if role in ("admin", "consultant", "consultant_other") else 403)


@pytest.mark.parametrize("role", ROLES)
def test_participant_edit(as_user: Callable[[str | None], FlaskClient], ids: dict[str, int], role: str) -> None:
    client = as_user(role)
    own, theirs = ids[f"participant_{OWN}"], ids["participant_VBY-KURS-2025"]
    status = client.get(f"/i/{OWN}/participants/{own}").status_code
    if role not in OWNS_NRB:
        assert status == 404
    else:
        assert status == (200 if role == "consultant" else 403)
    # Another intervention's participant through the own intervention's address: missing.
    assert client.get(f"/i/{OWN}/participants/{theirs}").status_code in (
        (404, 403) if role in ("hr", "client") else (404,)
    )
    assert client.get(f"/i/{OWN}/participants/999999").status_code in (
        (404, 403) if role in ("hr", "client") else (404,)
    )


@pytest.mark.parametrize("role", ROLES)
def test_user_edit(as_user: Callable[[str | None], FlaskClient], ids: dict[str, int], role: str) -> None:
    client = as_user(role)
    assert client.get(f"/admin/users/{ids['user_hr']}/edit").status_code == (200 if role == "admin" else 403)
    assert client.get("/admin/users/999999/edit").status_code == (404 if role == "admin" else 403)


@pytest.mark.parametrize(
    "route",
    ["/measures/knowledge/edit", "/clients/1/edit", f"/i/{OWN}/participants/1", "/admin/users/1/edit",
     f"/i/{OWN}/feedback-import/preview"],
)  # fmt: skip
def test_anonymous_is_sent_to_sign_in_from_edit_forms(as_user: Callable[[str | None], FlaskClient], route: str) -> None:
    response = as_user(None).get(route)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_edit_posts_follow_the_same_rules(
    as_user: Callable[[str | None], FlaskClient], ids: dict[str, int], role: str
) -> None:
    client = as_user(role)
    token = csrf(client, "/audit" if role not in ("client", "client_other") else "/")
    posts = {  # path, data, {role: status}; every other role 403
        "/measures/usefulness/edit": (
            {"name": "X", "level": "reaction", "scale_min": "1", "scale_max": "10"},
            {"consultant": 403, "consultant_other": 302},
        ),
        f"/clients/{ids['client_own']}/edit": (
            {"name": "Norrby kommun, Socialkontoret"},
            {"admin": 302, "consultant": 302, "consultant_other": 404},
        ),
        f"/i/{OWN}/participants/{ids[f'participant_{OWN}']}": (
            {"group": "control"},
            {"consultant": 302, "consultant_other": 404, "hr_other": 404, "client_other": 404, "admin": 404},
        ),
        f"/admin/users/{ids['user_client']}/edit": (
            {"email": "chef@norrby.example", "role": "client", "organisation": "Norrby kommun"},
            {"admin": 302},
        ),
    }
    for path, (data, statuses) in posts.items():
        assert client.post(path, data={"csrf_token": token, **data}).status_code == statuses.get(role, 403), path


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
