"""The start page: pages, search by code, title or client, status filter, and response counts
that come from a summary cached per data version and are never stale after an import."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, update

from kirkpatrick.io.pipeline import ImportOptions, import_measurements
from kirkpatrick.services import accounts, records
from kirkpatrick.services.start_page import COUNTS_KEY, PER_PAGE
from kirkpatrick.storage import db
from kirkpatrick.storage.models import AnalysisCache, Intervention, Measurement
from tests.conftest import SAMPLE
from tests.web.conftest import OWN

EXTRA = 60  # more than one page
PLANNED = 10  # of the extra ones, these start in the future
RUNNING = 20  # these started and have not ended; the rest have ended


def _add_many(engine: Engine) -> None:
    today = dt.date.today()
    with db.transaction(engine) as s:
        for k in range(EXTRA):
            if k < PLANNED:
                start, end = today + dt.timedelta(days=30), today + dt.timedelta(days=90)
            elif k < PLANNED + RUNNING:
                start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
            else:
                start, end = today - dt.timedelta(days=400), today - dt.timedelta(days=300)
            fields = records.InterventionFields(
                title=f"Sidoprogram {k}", client="Sidoklient AB", consultant="K", target_group="managers",
                format="training_programme", start=start.isoformat(), end=end.isoformat(),
            )  # fmt: skip
            records.add_intervention(s, f"PG-{k:03d}", fields, create_client=True)
            accounts.link_intervention(s, "Konsult A", f"PG-{k:03d}")


def _codes(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r'<a href="/i/([^"]+)">', body)


def _responses(page: str, code: str) -> tuple[int, int, int]:
    row = re.search(rf'<tr><td><a href="/i/{re.escape(code)}">.*?</tr>', page, re.S)
    assert row is not None, f"{code} not on the page"
    cell = re.search(r'<td class="n">(\d+) / (\d+) / (\d+)</td>', row.group(0))
    assert cell is not None
    return int(cell.group(1)), int(cell.group(2)), int(cell.group(3))


def test_pages_search_and_status(as_user: Callable[[str | None], FlaskClient], catalogue: Engine) -> None:
    _add_many(catalogue)
    client = as_user("consultant")
    total = EXTRA + 1  # and NRB-LG-2024, which Konsult A runs
    first = client.get("/").get_data(as_text=True)
    assert len(_codes(first)) == PER_PAGE
    assert f"{total} interventions" in first and "page 1 of 2" in first
    second = client.get("/?page=2").get_data(as_text=True)
    assert len(_codes(second)) == total - PER_PAGE
    assert not set(_codes(first)) & set(_codes(second))
    assert set(_codes(first)) | set(_codes(second)) == {OWN, *(f"PG-{k:03d}" for k in range(EXTRA))}
    assert _codes(client.get("/?page=999").get_data(as_text=True)) == _codes(second)  # past the end: the last
    assert len(_codes(client.get("/?page=abc").get_data(as_text=True))) == PER_PAGE  # nonsense: the first
    # Search in the client's name, the title and the code, any case.
    assert len(_codes(client.get("/?q=sidoklient").get_data(as_text=True))) == PER_PAGE
    assert _codes(client.get("/?q=Sidoprogram+7").get_data(as_text=True)) == ["PG-007"]
    assert _codes(client.get("/?q=nrb-lg").get_data(as_text=True)) == [OWN]
    assert _codes(client.get("/?q=100%25").get_data(as_text=True)) == []  # % is a character, not a wildcard
    assert "No intervention matches the search." in client.get("/?q=nothing+like+this").get_data(as_text=True)
    # Status: worked out here from the dates the interventions were given.
    assert sorted(_codes(client.get("/?status=planned").get_data(as_text=True))) == [
        f"PG-{k:03d}" for k in range(PLANNED)
    ]
    running = client.get("/?status=running&q=PG").get_data(as_text=True)
    assert sorted(_codes(running)) == [f"PG-{k:03d}" for k in range(PLANNED, PLANNED + RUNNING)]
    ended = client.get("/?status=ended&q=PG").get_data(as_text=True)
    assert f"{EXTRA - PLANNED - RUNNING} interventions" in ended
    # The pager keeps the filters.
    assert "status=ended" in html.unescape(client.get("/?status=ended").get_data(as_text=True)).split("Pages")[-1]
    # Another consultancy finds none of them, whatever it searches for.
    other = as_user("consultant_other")
    assert _codes(other.get("/?q=PG").get_data(as_text=True)) == []
    assert OWN not in _codes(other.get("/?q=NRB").get_data(as_text=True))


def _cached(engine: Engine, iv: int) -> list[str]:
    with db.reading(engine) as s:
        return list(
            s.scalars(
                select(AnalysisCache.payload).where(
                    AnalysisCache.intervention_id == iv, AnalysisCache.key == COUNTS_KEY
                )
            )
        )


def _measured(engine: Engine, iv: int, wave: str) -> int:
    with db.reading(engine) as s:
        stmt = select(func.count()).select_from(Measurement).where(Measurement.intervention_id == iv)
        return int(s.scalar(stmt.where(Measurement.wave == wave)) or 0)


def test_counts_come_from_the_cache_and_are_never_stale(
    as_user: Callable[[str | None], FlaskClient], catalogue: Engine
) -> None:
    client = as_user("hr")
    with db.reading(catalogue) as s:
        iv = int(s.scalar(select(Intervention.id).where(Intervention.code == OWN)) or 0)
    assert _responses(client.get("/").get_data(as_text=True), OWN) == (0, 0, 0)
    assert [json.loads(p) for p in _cached(catalogue, iv)] == [{}]  # the summary was kept
    # The page reads the kept summary (a planted figure shows) ...
    with db.transaction(catalogue) as s:
        s.execute(
            update(AnalysisCache)
            .where(AnalysisCache.intervention_id == iv, AnalysisCache.key == COUNTS_KEY)
            .values(payload=json.dumps({"pre": 777}))
        )
    assert _responses(client.get("/").get_data(as_text=True), OWN) == (777, 0, 0)
    # ... until an import changes the data: then the counts are the database's own.
    options = ImportOptions(intervention=OWN, layout="wide", wave="pre", rater="self")
    import_measurements(catalogue, SAMPLE / "norrby_ledarbeteende_fore.csv", options)
    pre = _measured(catalogue, iv, "pre")
    assert pre > 0
    assert _responses(client.get("/").get_data(as_text=True), OWN) == (pre, 0, 0)
    assert [json.loads(p) for p in _cached(catalogue, iv)] == [{"pre": pre}]
