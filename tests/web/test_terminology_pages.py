"""Every page follows the terminology list (docs/terminology.md): no term from its "not to use"
column in any page a user sees, in Swedish or English (the reports have their own test)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from kirkpatrick.io.importing import import_measurements
from kirkpatrick.reports.terminology import forbidden_terms
from tests.conftest import SAMPLE
from tests.web.test_authz_matrix import AREA_ROUTES, INTERVENTION_ROUTES

OWN = "NRB-LG-2024"
PAGES = [r.format(code=OWN) for r in INTERVENTION_ROUTES if not r.endswith((".html", ".xlsx"))] + ["/", *AREA_ROUTES]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_page_uses_a_term_not_to_use(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine, lang: str
) -> None:
    import_measurements(catalogue, SAMPLE / "measurements.csv")
    found: dict[str, list[str]] = {}
    for role in ("consultant", "hr", "admin", None):
        client = as_user(role)
        with client.session_transaction() as session:
            session["lang"] = lang
        for page in [*PAGES, "/sign-in"]:
            response = client.get(page)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            terms = forbidden_terms(response.get_data(as_text=True), lang)
            if terms:
                found[f"{role} {page}"] = terms
    assert found == {}
