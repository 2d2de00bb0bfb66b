"""The import page's upload progress: our own small static script, allowed by the page's CSP
and by no other page's; the form still works without it."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask.testing import FlaskClient

from kirkpatrick.web.security import PAGE_CSP, UPLOAD_PAGE_CSP
from tests.web.conftest import OWN, csrf

DATA = b"participant,measure,wave,rater,value\nQ1,knowledge,post,self,12\n"


def test_the_import_page_has_a_labelled_progress_bar_and_our_script(
    as_user: Callable[[str | None], FlaskClient],
) -> None:
    response = as_user("hr").get(f"/i/{OWN}/import")
    page = response.get_data(as_text=True)
    assert '<label for="upload-progress">' in page and '<progress id="upload-progress" max="100"' in page
    assert '<div id="upload-progress-box" class="field" hidden>' in page  # shown only by the script
    assert '<script src="/static/upload.js" defer></script>' in page
    assert "<script>" not in page  # nothing inline
    csp = response.headers["Content-Security-Policy"]
    assert csp == UPLOAD_PAGE_CSP
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] == "same-origin"  # the form's CSRF check needs it
    # Every other page still allows no script at all.
    for path in ("/", f"/i/{OWN}", f"/i/{OWN}/import/preview"):
        assert as_user("hr").get(path).headers["Content-Security-Policy"] == PAGE_CSP


def test_the_script_is_ours_and_small(as_user: Callable[[str | None], FlaskClient]) -> None:
    with as_user(None).get("/static/upload.js") as response:  # a file response: closed after use
        assert response.status_code == 200 and "javascript" in response.mimetype
        source = response.get_data(as_text=True)
    assert len(source.encode()) < 3000
    assert "http:" not in source and "https:" not in source  # fetches nothing from elsewhere
    assert 'upload.addEventListener("progress"' in source and "X-Upload-Progress" in source


def test_the_scripted_upload_is_told_where_to_go(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("hr")
    fields = {"csrf_token": csrf(client, f"/i/{OWN}/import"), "file": (io.BytesIO(DATA), "x.csv")}
    response = client.post(
        f"/i/{OWN}/import", data={**fields, "layout": "", "wave": "", "rater": ""},
        content_type="multipart/form-data", headers={"X-Upload-Progress": "1"},
    )  # fmt: skip
    assert response.status_code == 204 and response.headers["X-Next"] == f"/i/{OWN}/import/preview"
    assert "Preview of the import" in client.get(response.headers["X-Next"]).get_data(as_text=True)
    # Without the script: the ordinary redirect.
    fields = {"csrf_token": csrf(client, f"/i/{OWN}/import"), "file": (io.BytesIO(DATA), "x.csv")}
    plain = client.post(
        f"/i/{OWN}/import", data={**fields, "layout": "", "wave": "", "rater": ""}, content_type="multipart/form-data"
    )
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/i/{OWN}/import/preview")
