"""Security: headers, CSRF, sign-in throttling and sessions, no stack traces, hostile uploads."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from kirkpatrick.web import security
from tests.conftest import snapshot
from tests.web.conftest import OWN, PASSWORD, USERS, csrf, without_tokens


def sign_in(client: FlaskClient, email: str, password: str) -> tuple[int, str]:
    token = csrf(client)
    response = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
    return response.status_code, response.get_data(as_text=True)


def test_pages_carry_security_headers(as_user: Callable[[str | None], FlaskClient]) -> None:
    response = as_user("consultant").get(f"/i/{OWN}")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    page = response.get_data(as_text=True)
    assert "<script" not in page and " style=" not in page and "<style" not in page


def test_report_is_sandboxed_with_inline_style_only(as_user: Callable[[str | None], FlaskClient]) -> None:
    response = as_user("client").get(f"/i/{OWN}/report")
    csp = response.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "style-src 'unsafe-inline'" in csp and "frame-ancestors 'self'" in csp
    assert "script" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "<script" not in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(as_user: Callable[[str | None], FlaskClient], catalogue: Engine) -> None:
    before = snapshot(catalogue)
    client = as_user("consultant")
    response = client.post(f"/i/{OWN}/sessions", data={"date": "2026-02-02"})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    assert snapshot(catalogue) == before


def test_sign_in_renews_the_session_and_rejects_bad_passwords(app: Flask) -> None:
    client = app.test_client()
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    status, page = sign_in(client, USERS["hr"][0], "wrong password")
    assert status == 200 and "Inloggningen misslyckades" in page
    status, _page = sign_in(client, USERS["hr"][0], PASSWORD)
    assert status == 302
    with client.session_transaction() as s:
        assert "planted" not in s and "uid" in s
    cookie = client.get_cookie("kirkpatrick_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_lockout_after_repeated_failures_says_nothing_about_the_account(app: Flask) -> None:
    client = app.test_client()
    email = USERS["consultant"][0]
    for _ in range(5):
        sign_in(client, email, "wrong password")
    status, locked = sign_in(client, email, PASSWORD)  # right password, but locked out
    assert status == 200
    _status, unknown = sign_in(client, "nobody@nowhere.example", "whatever password")

    def message(page: str) -> str:
        found = re.search(r'class="error"[^>]*>([^<]+)<', page)
        assert found, page
        return found.group(1)

    assert message(locked) == message(unknown)
    # Another account from the same address is not affected.
    assert sign_in(client, USERS["hr"][0], PASSWORD)[0] == 302


def test_no_stack_trace_reaches_the_browser(catalogue: Engine, db_url: str) -> None:
    from kirkpatrick.web import create_app

    app = create_app(db_url, secret="s" * 32)

    def boom() -> str:
        raise RuntimeError("secret internals: /etc/passwd")

    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom")
    app.extensions["kirkpatrick_engine"].dispose()
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in text and "secret internals" not in text and "RuntimeError" not in text


def test_production_refuses_to_start_without_a_secret(monkeypatch: object, db_url: str) -> None:
    import pytest

    from kirkpatrick.domain.errors import KirkpatrickError
    from kirkpatrick.web import create_app

    mp = monkeypatch
    assert isinstance(mp, pytest.MonkeyPatch)
    mp.delenv(security.SECRET_ENV, raising=False)
    mp.delenv(security.SECRET_FILE_ENV, raising=False)
    with pytest.raises(KirkpatrickError, match="no secret key"):
        create_app(db_url, production=True)


def test_open_redirect_after_sign_in_is_refused(app: Flask) -> None:
    client = app.test_client()
    token = csrf(client)
    response = client.post(
        "/sign-in?next=//evil.example/x", data={"email": USERS["hr"][0], "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def _upload(client: FlaskClient, name: str, data: bytes) -> str:
    token = csrf(client, f"/i/{OWN}/import")
    response = client.post(
        f"/i/{OWN}/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name), "layout": "", "wave": "", "rater": ""},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return response.get_data(as_text=True) if response.status_code == 200 else f"status {response.status_code}"


def test_upload_too_large_is_refused_cleanly(app: Flask, as_user: Callable[[str | None], FlaskClient]) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    page = _upload(as_user("hr"), "big.csv", b"x" * 20_000)
    assert page == "status 413"


def test_zip_bomb_xlsx_is_refused(as_user: Callable[[str | None], FlaskClient], catalogue: Engine) -> None:
    before = snapshot(catalogue)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    page = _upload(as_user("hr"), "bomb.xlsx", buffer.getvalue())
    assert "far more than its size" in page
    assert "Confirm the import" not in page
    assert snapshot(catalogue) == before


def test_error_page_of_a_foreign_id_names_nothing(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("hr_other")
    foreign = client.get(f"/i/{OWN}/download.html")
    missing = client.get("/i/NOPE-0000/download.html")
    assert foreign.status_code == missing.status_code == 404

    def body(response: object) -> str:
        text = response.get_data(as_text=True)  # type: ignore[attr-defined]
        # The language switch returns to the page asked for,
        # and the CSRF token carries a timestamp; nothing else may differ.
        return without_tokens(re.sub(r'name="back" value="[^"]*"', "", text))

    assert body(foreign) == body(missing)
    assert OWN not in body(foreign)


def test_production_sign_in_over_tls_with_secure_cookie(catalogue: Engine, people: dict[str, int], db_url: str) -> None:
    """Behind the TLS proxy: the cookie is Secure and a form sent by a browser (same-origin referrer) passes."""
    from kirkpatrick.web import create_app

    app = create_app(db_url, secret="p" * 40, production=True)
    client = app.test_client()
    headers = {"X-Forwarded-Proto": "https", "Referer": "https://localhost/sign-in"}
    page = client.get("/sign-in", headers=headers)
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "max-age" in page.headers["Strict-Transport-Security"]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert token
    response = client.post(
        "/sign-in",
        data={"email": USERS["hr"][0], "password": PASSWORD, "csrf_token": token.group(1)},
        headers=headers,
    )
    app.extensions["kirkpatrick_engine"].dispose()
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
