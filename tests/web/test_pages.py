"""Pages and flows: import with preview and confirm, share links, forms, erasure, Excel export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

import openpyxl
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, update

from kirkpatrick.storage import db
from kirkpatrick.storage.accounts import AuditEvent, InterventionRunner, ShareLink
from kirkpatrick.storage.models import Intervention, Measure, Measurement
from tests.conftest import SAMPLE, snapshot
from tests.web.conftest import OWN, csrf


def _count(engine: Engine) -> int:
    with db.reading(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Measurement)) or 0)


def _upload(client: FlaskClient, name: str, data: bytes, **options: str) -> str:
    token = csrf(client, f"/i/{OWN}/import")
    fields = {"csrf_token": token, "file": (io.BytesIO(data), name), "layout": "", "wave": "", "rater": ""}
    response = client.post(
        f"/i/{OWN}/import", data={**fields, **options}, content_type="multipart/form-data", follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_import_previews_then_writes_only_on_confirm(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("hr")
    data = (SAMPLE / "norrby_ledarbeteende_fore.csv").read_bytes()
    before = snapshot(catalogue)
    page = _upload(client, "fore.csv", data, layout="wide", wave="pre", rater="self")
    assert "Preview of the import" in page and "decimal comma" in page
    assert "NRBL001" in page and "lf_1" in page  # first rows and columns
    assert snapshot(catalogue) == before  # nothing written before confirm
    rows = list(csv.reader(io.StringIO(data.decode("cp1252")), delimiter=";"))
    expected = sum(1 for row in rows[1:] for cell in row[3:4] if cell.strip())  # knowledge scores
    token = csrf(client, f"/i/{OWN}/import/preview")
    response = client.post(f"/i/{OWN}/import/confirm", data={"csrf_token": token})
    assert response.status_code == 302
    with db.reading(catalogue) as s:
        knowledge = s.scalar(
            select(func.count())
            .select_from(Measurement)
            .join(Measure)
            .where(Measurement.wave == "pre", Measure.code == "knowledge")
        )
        assert knowledge == expected
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")) == 1


def test_import_errors_shown_as_a_table_with_line_and_column(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("consultant")
    bad = "participant,measure,wave,rater,value\nP1,knowledge,post,self,12\nP2,knowledge,post,self,abc\n"
    page = _upload(client, "bad.csv", bad.encode())
    assert "nothing can be imported" in page
    cells = re.findall(r"<tr><td class=\"n\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert cells and cells[0][0] == "3" and cells[0][1] == "value", cells
    assert "Confirm the import" not in page
    assert _count(catalogue) == 0


def test_share_link_opens_logs_and_can_be_revoked(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("consultant")
    token = csrf(client, f"/i/{OWN}")
    page = client.post(f"/i/{OWN}/share", data={"csrf_token": token, "days": "7", "lang": "en"}).get_data(as_text=True)
    url = re.search(r'value="(http://[^"]+/r/[^"]+)"', page)
    assert url, page
    path = url.group(1).split("localhost", 1)[1]
    anonymous = as_user(None)
    opened = anonymous.get(path)
    assert opened.status_code == 200 and "Evaluation report" in opened.get_data(as_text=True)
    assert "frame-ancestors 'none'" in opened.headers["Content-Security-Policy"]
    assert anonymous.get(path[:-2] + "xx").status_code == 404
    with db.reading(catalogue) as s:
        link_id = s.scalar(select(ShareLink.id))
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "share_open")) == 1
    # Another organisation cannot revoke it; its owner can.
    other = as_user("consultant_other")
    assert other.post(f"/i/{OWN}/share/{link_id}/revoke", data={"csrf_token": csrf(other, "/")}).status_code == 404
    client.post(f"/i/{OWN}/share/{link_id}/revoke", data={"csrf_token": csrf(client, f"/i/{OWN}")})
    assert anonymous.get(path).status_code == 404


def test_expired_share_link_opens_nothing(as_user: Callable[[str | None], FlaskClient], catalogue: Engine) -> None:
    client = as_user("hr")
    page = client.post(
        f"/i/{OWN}/share", data={"csrf_token": csrf(client, f"/i/{OWN}"), "days": "1", "lang": "sv"}
    ).get_data(as_text=True)
    path = re.search(r"(/r/[^\"]+)\"", page).group(1)  # type: ignore[union-attr]
    with db.transaction(catalogue) as s:
        s.execute(update(ShareLink).values(expires_at=dt.datetime(2000, 1, 1)))
    assert as_user(None).get(path).status_code == 404


def test_consultant_adds_an_intervention_run_by_their_consultancy(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("consultant")
    response = client.post(
        "/new",
        data={
            "csrf_token": csrf(client, "/new"), "code": "NEW-2026", "title": "Ny kurs", "client": "Ny kommun",
            "consultant": "K", "target_group": "managers", "format": "training_programme",
            "start": "2026-01-01", "end": "2026-02-01", "notes": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    with db.reading(catalogue) as s:
        runner = s.scalar(
            select(InterventionRunner.organisation_id).join(Intervention).where(Intervention.code == "NEW-2026")
        )
        assert runner is not None
    assert as_user("consultant_other").get("/i/NEW-2026").status_code == 404
    # A bad date order comes back as a form error, not a trace, and writes nothing.
    bad = client.post(
        "/i/NEW-2026/edit",
        data={
            "csrf_token": csrf(client, "/new"), "title": "Ny kurs", "client": "Ny kommun", "consultant": "",
            "target_group": "managers", "format": "training_programme", "start": "2026-03-01", "end": "2026-02-01",
        },
    )  # fmt: skip
    assert bad.status_code == 200 and "before start date" in bad.get_data(as_text=True)


def test_delete_says_what_goes_and_needs_the_code(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("consultant")
    page = client.get(f"/i/{OWN}/erase").get_data(as_text=True)
    assert "session: 20" in page  # the sample intervention has 20 sessions
    token = csrf(client, f"/i/{OWN}/erase")
    wrong = client.post(f"/i/{OWN}/erase", data={"delete-csrf_token": token, "delete-confirm": "WRONG"})
    assert wrong.status_code == 200 and "does not match" in wrong.get_data(as_text=True)
    done = client.post(f"/i/{OWN}/erase", data={"delete-csrf_token": token, "delete-confirm": OWN})
    assert done.status_code == 302
    assert client.get(f"/i/{OWN}").status_code == 404


def test_excel_has_a_sheet_per_level_and_numbers_as_numbers(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    from kirkpatrick.io.importing import import_measurements

    import_measurements(catalogue, SAMPLE / "measurements.csv")
    response = as_user("hr").get(f"/i/{OWN}/download.xlsx?lang=en")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert {"Reaction", "Learning", "Behaviour", "Results"} <= set(book.sheetnames)
    # Independent check: sick leave (rated by the organisation), mean before over complete pairs.
    values: dict[str, dict[str, float]] = {}
    with open(SAMPLE / "measurements.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["intervention"] == OWN and row["measure"] == "sick_leave" and row["group"] == "treatment":
                values.setdefault(row["participant"], {})[row["wave"]] = float(row["value"])
    pairs = [v for v in values.values() if "pre" in v and "post" in v]
    expected = sum(v["pre"] for v in pairs) / len(pairs)
    sheet = book["Results"]
    header = [c.value for c in sheet[1]]
    found = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[header.index("n")] == len(pairs)]
    assert found, list(sheet.iter_rows(values_only=True))
    mean_before = found[0][header.index("Mean before")]
    assert isinstance(mean_before, float)
    assert abs(mean_before - expected) < 1e-9


def test_an_upload_cannot_write_into_another_intervention(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    """The HR user of Norrby uploads to their intervention a file naming Västerby's: refused."""
    rows = "intervention,participant,measure,wave,rater,value\nVBY-KURS-2025,P1,knowledge,post,self,12\n"
    page = _upload(as_user("hr"), "sneaky.csv", rows.encode())
    assert "nothing can be imported" in page and "Confirm the import" not in page
    assert _count(catalogue) == 0


def test_success_cases_name_participants(as_user: Callable[[str | None], FlaskClient], catalogue: Engine) -> None:
    from kirkpatrick.io.importing import import_measurements

    import_measurements(catalogue, SAMPLE / "measurements.csv")
    page = as_user("consultant").get(f"/i/{OWN}/success-cases").get_data(as_text=True)
    assert re.search(r"<td>NRBL\d+</td>", page), page
