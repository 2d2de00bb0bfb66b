"""The import page through the one import service: a survey tool's export shows its tool, the
mapping and the rows left out, and imports the same as the command line; the security findings
of #26 that live in the import page (cancel authorised, parsed once, no server path, uploads swept)."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from kirkpatrick.services import importing
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Measurement
from tests.web.conftest import OWN, csrf

CORPUS = Path(__file__).resolve().parents[1] / "io" / "data" / "corpus"
QUALTRICS = (CORPUS / "qualtrics_numeric_nps_group.csv").read_bytes()


def _upload(client: FlaskClient, name: str, data: bytes, **options: object) -> str:
    token = csrf(client, f"/i/{OWN}/import")
    fields = {
        "csrf_token": token,
        "file": (io.BytesIO(data), name),
        "layout": "",
        "wave": "pre",
        "rater": "",
        "source": "",
    }
    response = client.post(
        f"/i/{OWN}/import", data={**fields, **options}, content_type="multipart/form-data", follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("&#39;", "'")


def test_cancel_is_authorised_like_the_other_import_routes(as_user: Callable[[str | None], FlaskClient]) -> None:
    def cancel(who: str | None, code: str = OWN) -> tuple[int, str]:
        client = as_user(who)
        token = csrf(client, "/sign-in" if who is None else "/")
        response = client.post(f"/i/{code}/import/cancel", data={"csrf_token": token})
        return response.status_code, response.headers.get("Location", "")

    status, where = cancel(None)
    assert status == 302 and "sign-in" in where
    assert cancel("hr_other")[0] == 404
    assert cancel("hr", "NO-SUCH")[0] == 404
    assert cancel("client")[0] == 403
    assert cancel("hr")[0] == 302


def test_preview_is_parsed_once(as_user: Callable[[str | None], FlaskClient], monkeypatch: object) -> None:
    calls = []
    real = importing.preview

    def counted(*args: object, **kwargs: object) -> importing.ImportResult:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "preview", counted)  # type: ignore[attr-defined]
    client = as_user("hr")
    _upload(client, "measurements.csv", b"participant,measure,wave,rater,value\nQ1,knowledge,post,self,3\n")
    for _ in range(3):
        assert client.get(f"/i/{OWN}/import/preview").status_code == 200
    assert len(calls) == 1


def test_messages_name_the_file_as_the_user_called_it(as_user: Callable[[str | None], FlaskClient], app: Flask) -> None:
    client = as_user("hr")
    upload_dir = app.config["UPLOAD_DIR"]
    # An unclosed quote: the reader's message named the file by its server path before.
    page = _upload(client, "min fil.csv", b'participant,measure,wave,rater,value\nQ1,"knowledge,post,self,3\n')
    assert "min fil.csv" in page and upload_dir not in page
    stored = [p.name for p in Path(upload_dir).iterdir()]
    assert stored and not any(name in page for name in stored)


def test_abandoned_uploads_are_swept(as_user: Callable[[str | None], FlaskClient], app: Flask) -> None:
    folder = Path(app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "0123456789abcdef0123456789abcdef.csv"
    old.write_text("participant\n")
    week_ago = time.time() - 7 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    _upload(as_user("hr"), "x.csv", b"participant,measure,wave,rater,value\nQ1,knowledge,post,self,3\n")
    assert not old.exists()
    old.write_text("participant\n")
    os.utime(old, (week_ago, week_ago))
    from kirkpatrick.web import create_app

    again = create_app(
        str(app.extensions["kirkpatrick_engine"].url), secret="s" * 40, config={"UPLOAD_DIR": str(folder)}
    )
    again.extensions["kirkpatrick_engine"].dispose()
    assert not old.exists()


def test_survey_export_shows_tool_mapping_and_left_out_rows(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    from support import Cli

    Cli(str(catalogue.url))("measure", "import", str(CORPUS / "catalogue.csv"))
    client = as_user("hr")
    page = _upload(client, "qualtrics.csv", QUALTRICS)
    assert "Qualtrics" in page and "NPS group" in page and "embedded data" in page
    assert "test or preview response" in page and "Status 1" in page
    assert "8.90" in page  # the mean of nps on its 0-10 scale
    with db.reading(catalogue) as s:
        before = s.scalar(select(func.count()).select_from(Measurement))
    token = csrf(client, f"/i/{OWN}/import/preview")
    assert client.post(f"/i/{OWN}/import/confirm", data={"csrf_token": token}).status_code == 302
    with db.reading(catalogue) as s:
        assert s.scalar(select(func.count()).select_from(Measurement)) == (before or 0) + 30
