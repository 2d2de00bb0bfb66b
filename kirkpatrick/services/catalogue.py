"""Editing the shared records the web's forms change and ``records`` only adds: a measure of the
catalogue (with its items and their wording) and a client.

Like ``records``, these raise ``KirkpatrickError`` on user mistakes and leave committing to the
caller's transaction, so a failure changes nothing. A measure's level, scale and items are what
stored values mean: they change only while no value and no questionnaire question uses the measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import Duplicate, InvalidInput, NotFound
from kirkpatrick.domain.parsing import parse_code
from kirkpatrick.services import records
from kirkpatrick.services.accounts import Ownership, ownership
from kirkpatrick.services.records import MeasureFields
from kirkpatrick.storage import analysis_cache
from kirkpatrick.storage.accounts import ClientOwner, InterventionRunner, Organisation
from kirkpatrick.storage.collect import Question
from kirkpatrick.storage.models import Client, Intervention, Measure, MeasureItem, Measurement

SEPARATOR = records.CATALOGUE_SEPARATOR


# ---------------------------------------------------------------- measures


def measure_usage(session: OrmSession, measure: Measure) -> tuple[int, bool]:
    """How many values the measure has, and whether a questionnaire question asks it."""
    values = int(session.scalar(select(func.count()).where(Measurement.measure_id == measure.id)) or 0)
    asked = bool(session.scalar(select(exists().where(Question.measure_id == measure.id))))
    return values, asked


def measure_owners(session: OrmSession, code: str) -> list[Ownership] | None:
    """The ownership facts of every intervention with values on measure ``code`` (``None``: no such
    measure). The web lets only a user who owns all of them change the measure."""
    measure_id = session.scalar(select(Measure.id).where(Measure.code == code))
    if measure_id is None:
        return None
    codes = session.scalars(
        select(Intervention.code)
        .where(Intervention.id.in_(select(Measurement.intervention_id).where(Measurement.measure_id == measure_id)))
        .order_by(Intervention.code)
    )
    return [facts for facts in (ownership(session, c) for c in codes) if facts is not None]


def catalogue_rows(session: OrmSession) -> list[tuple[dict[str, Any], list[Ownership]]]:
    """Every measure (as ``records.measure_dict``) with the ownership of the interventions using it."""
    return [(m, measure_owners(session, m["code"]) or []) for m in records.list_measures(session)]


def measure_fields(measure: Measure) -> MeasureFields:
    """The stored measure as the catalogue's columns (the edit form's starting values)."""
    d = records.measure_dict(measure)
    return MeasureFields(
        code=measure.code,
        name=measure.name,
        level=measure.level.value,
        scale_min=f"{measure.scale_min:g}",
        scale_max=f"{measure.scale_max:g}",
        higher_is_better="true" if measure.higher_is_better else "false",
        reliability="" if measure.reliability is None else f"{measure.reliability:g}",
        items=" ".join(d["items"]),
        wording=f" {SEPARATOR} ".join(d["wording"]),
        labels=f" {SEPARATOR} ".join(d["labels"]),
        no_answer=f" {SEPARATOR} ".join(d["no_answer"]),
    )


def item_wording_lines(measure: Measure) -> list[str]:
    """``item | wording | wording`` a line, for the items that have wording."""
    return [f" {SEPARATOR} ".join([it.code, *records.split_lines(it.wording)]) for it in measure.items if it.wording]


def add_measure(session: OrmSession, fields: MeasureFields, item_wording: Sequence[str] = ()) -> Measure:
    """``records.add_measure`` (the CLI's), then the wording of its items."""
    measure = records.add_measure(session, fields)
    set_item_wording(measure, item_wording)
    session.flush()
    return measure


def edit_measure(session: OrmSession, code: str, fields: MeasureFields, item_wording: Sequence[str] = ()) -> Measure:
    """Change measure ``code`` to ``fields`` (its code stays); checked as ``records.add_measure``
    checks a new one. Returns the stored measure."""
    measure = records.get_measure(session, code)
    new = records.build_measure(MeasureFields(**{**fields.__dict__, "code": measure.code}))
    old_items = [(it.code, it.reverse) for it in measure.items]
    new_items = [(it.code, it.reverse) for it in new.items]
    meaning_changes = (
        new.level != measure.level
        or new.scale_min != measure.scale_min
        or new.scale_max != measure.scale_max
        or new_items != old_items
    )
    values, asked = measure_usage(session, measure)
    if meaning_changes and (values or asked):
        raise InvalidInput(
            f"measure {measure.code}: level, scale and items cannot change while values or questionnaire "
            "questions use the measure"
        )
    for column in ("name", "higher_is_better", "reliability", "wording", "labels", "no_answer", "level"):
        setattr(measure, column, getattr(new, column))
    measure.scale_min, measure.scale_max = new.scale_min, new.scale_max
    if new_items != old_items:
        kept = {it.code: it.wording for it in measure.items}
        measure.items.clear()
        session.flush()  # the old positions are free before the new items take them
        for position, (item_code, reverse) in enumerate(new_items):
            measure.items.append(
                MeasureItem(position=position, code=item_code, reverse=reverse, wording=kept.get(item_code))
            )
    set_item_wording(measure, item_wording)
    session.flush()
    if values:
        # Reliability and direction enter the statistics: results cached for these interventions are stale.
        touched = session.scalars(
            select(Measurement.intervention_id).where(Measurement.measure_id == measure.id).distinct()
        )
        analysis_cache.bump(session.connection(), list(touched))
    return measure


def set_item_wording(measure: Measure, lines: Sequence[str]) -> None:
    """Lines ``item | wording | wording`` (as the catalogue's ``measure.item`` rows); an item not
    named keeps its wording. An empty wording clears it."""
    items = {it.code: it for it in measure.items}
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        head, _, rest = line.partition(SEPARATOR)
        item_code = parse_code(head, what="item code")
        if item_code not in items:
            raise InvalidInput(f"line {number}: measure {measure.code} has no item {item_code!r}")
        if item_code in seen:
            raise Duplicate(f"line {number}: item {item_code!r} given twice")
        seen.add(item_code)
        parts = [p.strip() for p in rest.split(SEPARATOR) if p.strip()]
        items[item_code].wording = "\n".join(parts) if parts else None


# ---------------------------------------------------------------- clients


@dataclass(frozen=True)
class ClientRow:
    id: int
    name: str
    unit: str | None
    interventions: int
    owner: str | None  # the client organisation whose users see its data


def list_clients(session: OrmSession, runner: int | None = None) -> list[ClientRow]:
    """Every client, or (``runner`` = a consultancy's id) those whose interventions that consultancy
    runs, every one of them."""
    counts = dict(session.execute(select(Intervention.client_id, func.count()).group_by(Intervention.client_id)).all())
    owners = dict(session.execute(select(ClientOwner.client_id, Organisation.name).join(Organisation)).all())
    shown = set(counts) if runner is None else _run_only_by(session, runner)
    rows = session.scalars(select(Client).order_by(Client.name))
    return [
        ClientRow(c.id, c.name, c.unit, counts.get(c.id, 0), owners.get(c.id))
        for c in rows
        if runner is None or c.id in shown
    ]


def _run_only_by(session: OrmSession, runner: int) -> set[int]:
    """Clients with at least one intervention, every one of them run by consultancy ``runner``."""
    pairs = session.execute(
        select(Intervention.client_id, InterventionRunner.organisation_id).outerjoin(
            InterventionRunner, InterventionRunner.intervention_id == Intervention.id
        )
    ).all()
    clients: dict[int, bool] = {}
    for client_id, org in pairs:
        clients[client_id] = clients.get(client_id, True) and org == runner
    return {c for c, only in clients.items() if only}


def get_client(session: OrmSession, client_id: int) -> Client:
    found = session.get(Client, client_id)
    if found is None:
        raise NotFound("no such client")
    return found


def edit_client(session: OrmSession, client_id: int, name: str, unit: str | None) -> Client:
    """Rename client ``client_id`` and set its unit (its interventions follow)."""
    client = get_client(session, client_id)
    clean = (name or "").strip()
    if not clean:
        raise InvalidInput("client name must not be empty")
    if len(clean) > 300:
        raise InvalidInput(f"client name is too long ({len(clean)} characters, at most 300)")
    other = session.scalars(select(Client.id).where(Client.name == clean, Client.id != client.id)).first()
    if other is not None:
        raise Duplicate(f"client {clean!r} already exists")
    unit_clean = (unit or "").strip() or None
    if unit_clean is not None and len(unit_clean) > 300:
        raise InvalidInput(f"unit is too long ({len(unit_clean)} characters, at most 300)")
    client.name, client.unit = clean, unit_clean
    session.flush()
    return client


def client_dict(client: Client) -> dict[str, Any]:
    return {"id": client.id, "name": client.name, "unit": client.unit}
