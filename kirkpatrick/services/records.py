"""Logging the consultant's record: clients, interventions, sessions, transfer factors,
measures and feedback. The CLI calls these; they raise ``KirkpatrickError`` on user mistakes
and leave committing to the caller's transaction (``db.transaction``), so a failure changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain import vocab
from kirkpatrick.domain.errors import Duplicate, InvalidInput, NotFound
from kirkpatrick.domain.parsing import column_name, parse_bool, parse_code, parse_date, parse_float, parse_vocab
from kirkpatrick.domain.vocab import Format, Level, TargetGroup, TransferFactor, Wave
from kirkpatrick.io.sniff import Table, open_path
from kirkpatrick.io.validate import text_of
from kirkpatrick.storage.models import (
    Client,
    Feedback,
    Intervention,
    Measure,
    MeasureItem,
    Measurement,
    Participant,
    Session,
    TransferFactorUse,
)
from kirkpatrick.storage.queries import get_client as get_client  # re-exported: the lookups services offer
from kirkpatrick.storage.queries import get_intervention as get_intervention
from kirkpatrick.storage.queries import get_measure as get_measure
from kirkpatrick.storage.queries import of_interventions

__all__ = ["parse_bool", "parse_code", "parse_date", "parse_float", "parse_vocab"]  # the domain parsers, as before


# ---------------------------------------------------------------- parsing helpers


def _text(value: str | None, *, what: str, limit: int = 300, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise InvalidInput(f"{what} is required")
        return None
    value = value.strip()
    if not value:
        if required:
            raise InvalidInput(f"{what} must not be empty")
        return None
    if len(value) > limit:
        raise InvalidInput(f"{what} is too long ({len(value)} characters, at most {limit})")
    return value


# ---------------------------------------------------------------- clients


def add_client(session: OrmSession, name: str, unit: str | None = None) -> Client:
    clean = _text(name, what="client name", required=True)
    assert clean is not None
    if session.scalars(select(Client).where(Client.name == clean)).one_or_none() is not None:
        raise Duplicate(f"client {clean!r} already exists")
    client = Client(name=clean, unit=_text(unit, what="unit"))
    session.add(client)
    session.flush()
    return client


def client_for(session: OrmSession, name: str) -> Client:
    """The client called ``name``, created on first sight (for bulk imports)."""
    clean = _text(name, what="client name", required=True)
    assert clean is not None
    found = session.scalars(select(Client).where(Client.name == clean)).one_or_none()
    return found if found is not None else add_client(session, clean)


def list_clients(session: OrmSession) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Client, func.count(Intervention.id)).outerjoin(Intervention).group_by(Client.id).order_by(Client.name)
    ).all()
    return [{"name": c.name, "unit": c.unit, "interventions": n} for c, n in rows]


# ---------------------------------------------------------------- interventions


@dataclass(frozen=True)
class InterventionFields:
    """What a user may give for an intervention; ``None`` means "not given"."""

    title: str | None = None
    client: str | None = None
    consultant: str | None = None
    target_group: str | None = None
    format: str | None = None
    start: str | None = None
    end: str | None = None
    notes: str | None = None


def add_intervention(
    session: OrmSession, code: str, fields: InterventionFields, *, create_client: bool = False
) -> Intervention:
    code = parse_code(code, what="intervention code")
    if session.scalars(select(Intervention.id).where(Intervention.code == code)).first() is not None:
        raise Duplicate(f"intervention {code!r} already exists")
    for name in ("title", "client", "target_group", "format", "start", "end"):
        if not (getattr(fields, name) or "").strip():
            raise InvalidInput(f"intervention {code}: {name.replace('_', ' ')} is required")
    assert fields.client is not None
    client = client_for(session, fields.client) if create_client else get_client(session, fields.client.strip())
    intervention = Intervention(code=code, client=client)
    _apply(intervention, fields)
    session.add(intervention)
    session.flush()
    return intervention


def edit_intervention(session: OrmSession, code: str, fields: InterventionFields) -> Intervention:
    intervention = get_intervention(session, code)
    if fields.client is not None:
        intervention.client = get_client(session, fields.client.strip())
    _apply(intervention, fields)
    session.flush()
    return intervention


def _apply(intervention: Intervention, fields: InterventionFields) -> None:
    if fields.title is not None:
        intervention.title = _text(fields.title, what="title", required=True)  # type: ignore[assignment]
    if fields.consultant is not None:
        intervention.consultant = _text(fields.consultant, what="consultant")
    if fields.target_group is not None:
        intervention.target_group = parse_vocab(TargetGroup, fields.target_group, what="target group")
    if fields.format is not None:
        intervention.format = parse_vocab(Format, fields.format, what="format")
    if fields.start is not None:
        intervention.start_date = parse_date(fields.start, what="start date")
    if fields.end is not None:
        intervention.end_date = parse_date(fields.end, what="end date")
    if fields.notes is not None:
        intervention.notes = _text(fields.notes, what="notes", limit=10_000)
    if intervention.end_date < intervention.start_date:
        raise InvalidInput(f"end date {intervention.end_date} is before start date {intervention.start_date}")


def list_interventions(session: OrmSession) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Intervention, Client.name, func.count(Participant.id))
        .join(Client)
        .outerjoin(Participant)
        .group_by(Intervention.id, Client.name)
        .order_by(Intervention.start_date, Intervention.code)
    ).all()
    return [
        {
            "code": i.code,
            "title": i.title,
            "client": client,
            "consultant": i.consultant,
            "format": i.format.value,
            "start": i.start_date.isoformat(),
            "end": i.end_date.isoformat(),
            "participants": n,
        }
        for i, client, n in rows
    ]


def describe_intervention(session: OrmSession, code: str) -> dict[str, Any]:
    """Everything logged about one intervention, as plain JSON-ready data."""
    i = get_intervention(session, code)
    dates = [s.date for s in i.sessions]
    gaps = [(b - a).days for a, b in zip(dates, dates[1:])]
    counts: dict[str, dict[str, int]] = {}
    for measure_code, wave, n in session.execute(
        select(Measure.code, Measurement.wave, func.count())
        .join(Measurement, Measurement.measure_id == Measure.id)
        .where(of_interventions(i.id))
        .group_by(Measure.code, Measurement.wave)
    ):
        counts.setdefault(measure_code, {})[wave.value] = n
    groups = dict(
        session.execute(
            select(Participant.group, func.count())
            .where(Participant.intervention_id == i.id)
            .group_by(Participant.group)
        ).all()
    )
    return {
        "code": i.code,
        "title": i.title,
        "client": {"name": i.client.name, "unit": i.client.unit},
        "consultant": i.consultant,
        "target_group": i.target_group.value,
        "format": i.format.value,
        "start": i.start_date.isoformat(),
        "end": i.end_date.isoformat(),
        "notes": i.notes,
        "sessions": [d.isoformat() for d in dates],
        "days_between_sessions": gaps,
        "factors": [
            {"factor": f.factor.value, "present": f.present, "note": f.note}
            for f in sorted(i.factors, key=lambda f: list(TransferFactor).index(f.factor))
        ],
        "participants": {g.value: groups.get(g, 0) for g in vocab.Group},
        "measures": [
            {
                "code": m.code,
                "name": m.name,
                "level": m.level.value,
                "measurements": {w.value: counts.get(m.code, {}).get(w.value, 0) for w in Wave},
            }
            for m in _catalogue(session)
        ],
        "feedback": [feedback_dict(f) for f in i.feedback],
    }


# ---------------------------------------------------------------- sessions and factors


def add_sessions(session: OrmSession, code: str, dates: Sequence[str]) -> list[dt.date]:
    intervention = get_intervention(session, code)
    if not dates:
        raise InvalidInput("give at least one session date")
    parsed = [parse_date(d, what="session date") for d in dates]
    existing = {s.date for s in intervention.sessions}
    seen: set[dt.date] = set()
    for d in parsed:
        if d in existing or d in seen:
            raise Duplicate(f"intervention {code} already has a session on {d}")
        seen.add(d)
    for d in parsed:
        intervention.sessions.append(Session(date=d))
    session.flush()
    return sorted(parsed)


def set_factor(
    session: OrmSession, code: str, factor: str, present: bool, note: str | None = None
) -> TransferFactorUse:
    intervention = get_intervention(session, code)
    member = parse_vocab(TransferFactor, factor, what="transfer factor")
    use = session.get(TransferFactorUse, (intervention.id, member))
    if use is None:
        use = TransferFactorUse(factor=member, present=present)
        intervention.factors.append(use)
    use.present = present
    if note is not None:
        use.note = _text(note, what="note", limit=2_000)
    session.flush()
    return use


def list_factors(session: OrmSession, code: str) -> list[dict[str, Any]]:
    """All seven factors for an intervention: present, absent, or not recorded (``None``)."""
    intervention = get_intervention(session, code)
    recorded = {f.factor: f for f in intervention.factors}
    return [
        {
            "factor": factor.value,
            "present": recorded[factor].present if factor in recorded else None,
            "note": recorded[factor].note if factor in recorded else None,
        }
        for factor in TransferFactor
    ]


# ---------------------------------------------------------------- measures


@dataclass(frozen=True)
class MeasureFields:
    code: str
    name: str
    level: str
    scale_min: str
    scale_max: str
    higher_is_better: str = "true"
    reliability: str = ""
    items: str = ""
    wording: str = ""
    labels: str = ""
    no_answer: str = ""


def add_measure(session: OrmSession, fields: MeasureFields) -> Measure:
    code = parse_code(fields.code, what="measure code")
    if session.scalars(select(Measure.id).where(Measure.code == code)).first() is not None:
        raise Duplicate(f"measure {code!r} already exists")
    measure = build_measure(fields)
    session.add(measure)
    session.flush()
    return measure


def build_measure(fields: MeasureFields) -> Measure:
    """A measure checked and built from ``fields``, not yet in any session (the web's edit form
    compares it with the stored one)."""
    code = parse_code(fields.code, what="measure code")
    scale_min = parse_float(fields.scale_min, what="scale_min")
    scale_max = parse_float(fields.scale_max, what="scale_max")
    if scale_max <= scale_min:
        raise InvalidInput(f"measure {code}: scale_max {scale_max:g} must be above scale_min {scale_min:g}")
    reliability = None
    if fields.reliability.strip():
        reliability = parse_float(fields.reliability, what="reliability")
        if not 0 < reliability < 1:
            raise InvalidInput(f"measure {code}: reliability {reliability:g} must be between 0 and 1")
    measure = Measure(
        code=code,
        name=_text(fields.name, what="measure name", required=True),
        level=parse_vocab(Level, fields.level, what="level"),
        scale_min=scale_min,
        scale_max=scale_max,
        higher_is_better=parse_bool(fields.higher_is_better or "true", what="higher_is_better"),
        reliability=reliability,
    )
    # Set only when given: a catalogue without wording writes the same columns as before 0005.
    for column in ("wording", "labels", "no_answer"):
        given = _lines(getattr(fields, column))
        if given is not None:
            setattr(measure, column, given)
    labels = split_lines(measure.labels)
    steps = scale_max - scale_min + 1
    if labels and (not float(steps).is_integer() or len(labels) != steps):
        raise InvalidInput(
            f"measure {code}: {len(labels)} answer labels for a scale of {scale_min:g} to {scale_max:g} "
            f"(give one label per step, lowest first)"
        )
    seen: set[str] = set()
    for position, token in enumerate(fields.items.split()):
        reverse = token.startswith("-")
        item_code = parse_code(token.lstrip("-"), what="item code")
        if item_code in seen:
            raise Duplicate(f"measure {code}: item {item_code!r} listed twice")
        seen.add(item_code)
        measure.items.append(MeasureItem(position=position, code=item_code, reverse=reverse))
    return measure


def _catalogue(session: OrmSession) -> list[Measure]:
    """All measures in Kirkpatrick order (reaction first), then by code."""
    return sorted(session.scalars(select(Measure)), key=lambda m: (m.level.number, m.code))


def list_measures(session: OrmSession) -> list[dict[str, Any]]:
    return [measure_dict(m) for m in _catalogue(session)]


def measure_dict(m: Measure) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "level": m.level.value,
        "scale_min": m.scale_min,
        "scale_max": m.scale_max,
        "higher_is_better": m.higher_is_better,
        "reliability": m.reliability,
        "items": [("-" if it.reverse else "") + it.code for it in m.items],
        "wording": split_lines(m.wording),
        "labels": split_lines(m.labels),
        "no_answer": split_lines(m.no_answer),
        "item_wording": {it.code: split_lines(it.wording) for it in m.items if it.wording},
    }


MEASURE_COLUMNS = (
    "code",
    "name",
    "level",
    "scale_min",
    "scale_max",
    "higher_is_better",
    "reliability",
    "items",
    "wording",
    "labels",
    "no_answer",
)
CATALOGUE_SEPARATOR = "|"


def _lines(text: str) -> str | None:
    """``a | b | c`` as typed in a catalogue cell -> one value a line (``None`` if empty)."""
    parts = [p.strip() for p in text.split(CATALOGUE_SEPARATOR) if p.strip()]
    return "\n".join(parts) if parts else None


def split_lines(text: str | None) -> list[str]:
    return [line for line in (text or "").split("\n") if line]


def import_measures(session: OrmSession, path: Path | Table) -> list[Measure]:
    """Add every measure of a catalogue table, or none (errors name file and line).

    A row whose code is ``measure.item`` (e.g. ``lf.lf_1``) gives the wording of an item of a
    measure defined earlier in the file; only its ``wording`` is read.
    """
    added: list[Measure] = []
    by_code: dict[str, Measure] = {}
    required = ("code",)
    name = path.name if isinstance(path, Table) else path
    for line, row in read_table(path, MEASURE_COLUMNS, required=required):
        code = row["code"].strip()
        if "." in code and code.split(".", 1)[0] in by_code:
            _at(name, line, lambda row=row, code=code: _item_wording(by_code, code, row["wording"]))
            continue
        for column in ("name", "level", "scale_min", "scale_max"):
            if not row[column].strip():
                raise InvalidInput(f"{name}:{line}: measure {code}: {column} is required")
        measure = _at(name, line, lambda row=row: add_measure(session, MeasureFields(**row)))
        by_code[measure.code] = measure
        added.append(measure)
    return added


def _item_wording(measures: dict[str, Measure], code: str, wording: str) -> None:
    measure_code, item_code = code.split(".", 1)
    item = next((it for it in measures[measure_code].items if it.code == item_code), None)
    if item is None:
        raise InvalidInput(f"measure {measure_code} has no item {item_code!r}")
    item.wording = _lines(wording)


# ---------------------------------------------------------------- feedback


def add_feedback(
    session: OrmSession,
    code: str,
    text: str,
    *,
    level: str | None = None,
    theme: str | None = None,
    cleared: bool = False,
) -> Feedback:
    intervention = get_intervention(session, code)
    item = Feedback(
        text=_text(text, what="feedback text", limit=5_000, required=True),
        level=parse_vocab(Level, level, what="level") if level and level.strip() else None,
        theme=_text(theme, what="theme", limit=100),
        cleared=cleared,
    )
    intervention.feedback.append(item)
    session.flush()
    return item


def list_feedback(session: OrmSession, code: str) -> list[dict[str, Any]]:
    return [feedback_dict(f) for f in get_intervention(session, code).feedback]


def feedback_dict(f: Feedback) -> dict[str, Any]:
    return {
        "id": f.id,
        "text": f.text,
        "level": f.level.value if f.level else None,
        "theme": f.theme,
        "cleared": f.cleared,
    }


FEEDBACK_COLUMNS = ("intervention", "text", "level", "theme", "cleared")


def import_feedback(session: OrmSession, path: Path, *, intervention: str | None = None) -> list[Feedback]:
    """Add every quote of a feedback CSV (columns as ``FEEDBACK_COLUMNS``), or none."""
    required = ("text",) if intervention else ("intervention", "text")
    added = []
    for line, row in read_table(path, FEEDBACK_COLUMNS, required=required):
        code = row["intervention"].strip() or intervention
        if intervention and row["intervention"].strip() and row["intervention"].strip() != intervention:
            raise InvalidInput(f"{path}:{line}: row is for {row['intervention']!r}, not {intervention!r}")
        added.append(
            _at(
                path,
                line,
                lambda row=row, code=code: add_feedback(
                    session,
                    code or "",
                    row["text"],
                    level=row["level"],
                    theme=row["theme"],
                    cleared=parse_bool(row["cleared"], what="cleared"),
                ),
            )
        )
    return added


# ---------------------------------------------------------------- bulk interventions


INTERVENTION_COLUMNS = (
    "code",
    "client",
    "title",
    "consultant",
    "target_group",
    "format",
    "start",
    "end",
    "factors",
    "sessions",
    "notes",
)


def import_interventions(session: OrmSession, path: Path) -> list[Intervention]:
    """Add every intervention of a CSV, its factors and sessions; clients are created on first sight.

    ``factors`` lists the codes of the factors used (space-separated); the others are recorded
    as absent, so that a portfolio can compare used against not used.
    """
    added = []
    for line, row in read_table(
        path, INTERVENTION_COLUMNS, required=("code", "client", "title", "target_group", "format", "start", "end")
    ):

        def one(row: Mapping[str, str] = row) -> Intervention:
            fields = InterventionFields(
                **{
                    k: row[k]
                    for k in ("title", "client", "consultant", "target_group", "format", "start", "end", "notes")
                }
            )
            intervention = add_intervention(session, row["code"], fields, create_client=True)
            used = {parse_vocab(TransferFactor, f, what="transfer factor") for f in row["factors"].split()}
            for factor in TransferFactor:
                intervention.factors.append(TransferFactorUse(factor=factor, present=factor in used))
            if row["sessions"].strip():
                add_sessions(session, intervention.code, row["sessions"].split())
            return intervention

        added.append(_at(path, line, one))
    return added


# ---------------------------------------------------------------- CSV reading


def _at(path: Path | str, line: int, action: Any) -> Any:
    """Run ``action``; a user error in it is reported with the file and line it came from."""
    try:
        return action()
    except (InvalidInput, NotFound, Duplicate) as exc:
        raise type(exc)(f"{path}:{line}: {exc}") from None


def read_table(
    source: Path | Table, columns: Sequence[str], *, required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a small table (any input ``io.sniff`` reads: CSV/TSV in UTF-8 or Windows-1252 with
    ``,`` ``;`` or tabs, or .xlsx) as dicts over ``columns``.

    Header names are matched case- and space-insensitively; unknown columns are an error, missing
    optional ones read as empty. Yields ``(line number, row)``.
    """
    table = source if isinstance(source, Table) else open_path(Path(source))
    path = table.name
    rows = table.rows()
    header: list[str] | None = None
    for line, cells in rows:
        if any(text_of(c) for c in cells):
            header = [column_name(text_of(c)) for c in cells]
            header_line = line
            break
    if header is None:
        raise InvalidInput(f"{path}: file is empty")
    while header and header[-1] == "":
        header.pop()
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise InvalidInput(f"{path}:{header_line}: unknown column {unknown[0]!r} (expected: {', '.join(columns)})")
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInput(f"{path}:{header_line}: missing column {missing[0]!r}")
    for line, cells in rows:
        values = [text_of(c) if not isinstance(c, str) else c for c in cells]
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header) and not any(v.strip() for v in values[len(header) :]):
            values = values[: len(header)]
        if len(values) != len(header):
            raise InvalidInput(f"{path}:{line}: expected {len(header)} fields, found {len(values)}")
        row = {c: "" for c in columns}
        row.update(zip(header, values))
        yield line, row
