"""Contract follow-up (avtalsuppföljning): framework agreements, their call-offs, the supplier's
delivery summaries and follow-up interviews, and the record the follow-up report is built from.

Like ``records``, these functions raise ``KirkpatrickError`` on user mistakes and leave committing
to the caller's transaction, so a failed import changes nothing. They know nothing of click, so
the CLI and the web pages call the same functions. Files are read by :func:`read_rows` alone.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import Duplicate, InvalidInput, NotFound
from kirkpatrick.domain.policy import DEFAULT_MIN_GROUP
from kirkpatrick.domain.vocab import Format, Level, QuoteTheme
from kirkpatrick.services import records
from kirkpatrick.services.accounts import Ownership
from kirkpatrick.services.records import parse_bool, parse_code, parse_date, parse_float, parse_vocab
from kirkpatrick.stats.ordinal import GradeSummary, grade_summary
from kirkpatrick.storage.accounts import ClientOwner, InterventionRunner
from kirkpatrick.storage.contracts import (
    AwardCriterion,
    CallOff,
    Contract,
    ContractedService,
    Delivery,
    Grade,
    Interview,
    InterviewQuote,
)
from kirkpatrick.storage.models import Intervention, Session

# The four award criteria of the model procurement (målgruppsanpassning, genomförbarhet,
# trovärdighet, effektivitet); their names come from the report's translations.
DEFAULT_CRITERIA: tuple[str, ...] = ("target_group_fit", "feasibility", "credibility", "efficiency")
_SCALE = re.compile(r"\s*(-?\d+)\s*[-–]\s*(-?\d+)\s*")


# ---------------------------------------------------------------- reading files


def read_rows(path: Path, columns: Sequence[str], *, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` of a CSV or XLSX file, each row a dict of text over ``columns``: the one
    reader of small tables (``records.read_table`` over :mod:`kirkpatrick.io.sniff`)."""
    return records.read_table(path, columns, required=required)


def _at(path: Path, line: int, action: Any) -> Any:
    try:
        return action()
    except (InvalidInput, NotFound, Duplicate) as exc:
        raise type(exc)(f"{path}:{line}: {exc}") from None


def _text(value: str | None, *, what: str, limit: int = 300, required: bool = False) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{what} is required")
        return None
    if len(value) > limit:
        raise InvalidInput(f"{what} is too long ({len(value)} characters, at most {limit})")
    return value


# ---------------------------------------------------------------- contracts


@dataclass(frozen=True)
class ContractFields:
    """What a user gives for a new contract (text as typed; parsed and checked by :func:`add_contract`).

    ``criteria`` are ``code`` or ``code=Name`` (default: the four standard criteria); ``services``
    are ``format`` or ``format=volume`` (volume in sessions); ``scale`` is ``min-max``.
    """

    registration_number: str
    title: str
    buyer: str
    supplier: str
    start: str
    end: str
    scale: str = "1-5"
    criteria: Sequence[str] = ()
    services: Sequence[str] = ()
    notes: str | None = None


def get_contract(session: OrmSession, code: str) -> Contract:
    found = session.scalars(select(Contract).where(Contract.code == code)).one_or_none()
    if found is None:
        raise NotFound(f"no contract with code {code!r}")
    return found


def add_contract(session: OrmSession, code: str, fields: ContractFields) -> Contract:
    """Register a contract; the buyer is a client, created on first sight."""
    code = parse_code(code, what="contract code")
    if session.scalars(select(Contract.id).where(Contract.code == code)).first() is not None:
        raise Duplicate(f"contract {code!r} already exists")
    start, end = parse_date(fields.start, what="start date"), parse_date(fields.end, what="end date")
    if end < start:
        raise InvalidInput(f"contract {code}: end date {end} is before start date {start}")
    match = _SCALE.fullmatch(fields.scale or "")
    if not match or int(match.group(2)) <= int(match.group(1)):
        raise InvalidInput(f"bad scale {fields.scale!r} (expected min-max, e.g. 1-5)")
    contract = Contract(
        code=code,
        registration_number=_text(fields.registration_number, what="registration number", limit=64, required=True),
        title=_text(fields.title, what="title", required=True),
        buyer=records.client_for(session, fields.buyer),
        supplier=_text(fields.supplier, what="supplier", required=True),
        start_date=start,
        end_date=end,
        scale_min=int(match.group(1)),
        scale_max=int(match.group(2)),
        notes=_text(fields.notes, what="notes", limit=5_000),
    )
    for position, spec in enumerate(fields.criteria or DEFAULT_CRITERIA, 1):
        ccode, _, name = spec.partition("=")
        ccode = parse_code(ccode, what="criterion code")
        if any(c.code == ccode for c in contract.criteria):
            raise Duplicate(f"criterion {ccode!r} given twice")
        contract.criteria.append(AwardCriterion(position=position, code=ccode, name=_text(name, what="criterion name")))
    for spec in fields.services:
        fmt_text, _, volume = spec.partition("=")
        fmt = parse_vocab(Format, fmt_text, what="service")
        if any(s.format == fmt for s in contract.services):
            raise Duplicate(f"service {fmt.value!r} given twice")
        amount = parse_float(volume, what="volume") if volume.strip() else None
        if amount is not None and amount < 0:
            raise InvalidInput(f"bad volume {volume!r} (must not be negative)")
        contract.services.append(ContractedService(format=fmt, volume=amount))
    session.add(contract)
    session.flush()
    return contract


def list_contracts(session: OrmSession) -> list[dict[str, Any]]:
    counts = dict(session.execute(select(CallOff.contract_id, func.count()).group_by(CallOff.contract_id)).all())
    interviews = dict(
        session.execute(select(Interview.contract_id, func.count()).group_by(Interview.contract_id)).all()
    )
    return [
        {**_summary(c), "call_offs": counts.get(c.id, 0), "interviews": interviews.get(c.id, 0)}
        for c in session.scalars(select(Contract).order_by(Contract.start_date, Contract.code))
    ]


def call_off_ownership(session: OrmSession, code: str | None = None) -> dict[str, list[Ownership]]:
    """For every contract code (or only ``code``), who owns the data of each of its call-offs (web
    authorisation)."""
    codes = select(Contract.code) if code is None else select(Contract.code).where(Contract.code == code)
    found: dict[str, list[Ownership]] = {c: [] for c in session.scalars(codes)}
    query = (
        select(
            Contract.code,
            Intervention.id,
            Intervention.code,
            ClientOwner.organisation_id,
            InterventionRunner.organisation_id,
        )
        .join(CallOff, CallOff.contract_id == Contract.id)
        .join(Intervention, Intervention.id == CallOff.intervention_id)
        .outerjoin(ClientOwner, ClientOwner.client_id == Intervention.client_id)
        .outerjoin(InterventionRunner, InterventionRunner.intervention_id == Intervention.id)
    )
    if code is not None:
        query = query.where(Contract.code == code)
    for contract_code, intervention_id, intervention_code, client_org, runner_org in session.execute(query):
        found[contract_code].append(Ownership(intervention_id, intervention_code, client_org, runner_org))
    return found


def _summary(c: Contract) -> dict[str, Any]:
    return {
        "code": c.code,
        "registration_number": c.registration_number,
        "title": c.title,
        "buyer": c.buyer.name,
        "supplier": c.supplier,
        "start": c.start_date.isoformat(),
        "end": c.end_date.isoformat(),
    }


def describe_contract(session: OrmSession, code: str) -> dict[str, Any]:
    """The contract as plain data (``contract show --json``): no quote text, only counts."""
    c = get_contract(session, code)
    quotes = [q for i in c.interviews for q in i.quotes]
    return {
        **_summary(c),
        "scale": [c.scale_min, c.scale_max],
        "criteria": [{"code": k.code, "name": k.name} for k in c.criteria],
        "services": [{"format": s.format.value, "volume": s.volume} for s in c.services],
        "call_offs": [i.code for i in c.call_offs],
        "deliveries": [delivery_dict(d) for d in c.deliveries],
        "interviews": len(c.interviews),
        "quotes": len(quotes),
        "quotes_cleared": sum(q.cleared for q in quotes),
        "notes": c.notes,
    }


def set_call_offs(session: OrmSession, code: str, interventions: Sequence[str], *, remove: bool = False) -> list[str]:
    """Make ``interventions`` call-offs of contract ``code`` (or, with ``remove``, no longer)."""
    contract = get_contract(session, code)
    done = []
    for icode in interventions:
        intervention = records.get_intervention(session, icode)
        link = session.get(CallOff, intervention.id)
        if remove:
            if link is None or link.contract_id != contract.id:
                raise InvalidInput(f"intervention {icode!r} is not a call-off of {code!r}")
            session.delete(link)
        elif link is None:
            session.add(CallOff(intervention_id=intervention.id, contract_id=contract.id))
        elif link.contract_id != contract.id:
            raise Duplicate(f"intervention {icode!r} is already a call-off of another contract")
        done.append(intervention.code)
    session.flush()
    session.expire(contract, ["call_offs"])
    return done


# ---------------------------------------------------------------- deliveries

DELIVERY_COLUMNS = ("service", "period_start", "period_end", "sessions", "participants", "note")


def delivery_dict(d: Delivery) -> dict[str, Any]:
    return {
        "service": d.service.format.value,
        "period_start": d.period_start.isoformat(),
        "period_end": d.period_end.isoformat(),
        "sessions": d.sessions,
        "participants": d.participants,
        "note": d.note,
    }


def import_delivery(session: OrmSession, code: str, path: Path) -> list[Delivery]:
    """Add every row of a supplier's delivery summary (CSV or XLSX), or none.

    One row per service and period: ``service`` (a contracted service's format), ``period_start``,
    ``period_end``, ``sessions`` delivered, optional ``participants`` and ``note``.
    """
    contract = get_contract(session, code)
    services = {s.format: s for s in contract.services}
    added: list[Delivery] = []

    def one(row: Mapping[str, str]) -> Delivery:
        fmt = parse_vocab(Format, row["service"], what="service")
        if fmt not in services:
            raise InvalidInput(f"service {fmt.value!r} is not in contract {code} (contracted: "
                               f"{', '.join(s.value for s in services) or 'none'})")  # fmt: skip
        start = parse_date(row["period_start"], what="period start")
        end = parse_date(row["period_end"], what="period end")
        if end < start:
            raise InvalidInput(f"period end {end} is before period start {start}")
        if any(d.service is services[fmt] and d.period_start == start for d in [*contract.deliveries, *added]):
            raise Duplicate(f"delivery of {fmt.value} from {start} is already recorded")
        sessions = parse_float(row["sessions"], what="sessions")
        participants = parse_float(row["participants"], what="participants") if row["participants"].strip() else None
        if sessions < 0 or (participants is not None and (participants < 0 or not participants.is_integer())):
            raise InvalidInput("sessions and participants must not be negative; participants a whole number")
        return Delivery(
            contract=contract,
            service=services[fmt],
            period_start=start,
            period_end=end,
            sessions=sessions,
            participants=None if participants is None else int(participants),
            note=_text(row["note"], what="note", limit=2_000),
        )

    for line, row in read_rows(path, DELIVERY_COLUMNS, required=("service", "period_start", "period_end", "sessions")):
        added.append(_at(path, line, lambda row=row: one(row)))
    session.add_all(added)
    session.flush()
    return added


# ---------------------------------------------------------------- interviews


@dataclass(frozen=True)
class InterviewFields:
    """An interview as typed: ``grades`` maps criterion code to a grade (text; empty = not graded)."""

    role: str
    unit: str
    date: str
    interviewer: str | None = None
    grades: Mapping[str, str] = field(default_factory=dict)


def add_interview(session: OrmSession, contract_code: str, code: str, fields: InterviewFields) -> Interview:
    """Record a follow-up interview. The interviewee is a code, a role and a unit: never a name."""
    contract = get_contract(session, contract_code)
    code = parse_code(code, what="interview code")
    if any(i.code == code for i in contract.interviews):
        raise Duplicate(f"interview {code!r} already exists in contract {contract.code}")
    interview = Interview(
        code=code,
        role=_text(fields.role, what="role", limit=100, required=True),
        unit=_text(fields.unit, what="unit", required=True),
        date=parse_date(fields.date, what="interview date"),
        interviewer=_text(fields.interviewer, what="interviewer"),
    )
    criteria = {c.code: c for c in contract.criteria}
    for ccode, text in fields.grades.items():
        if ccode not in criteria:
            raise InvalidInput(f"unknown criterion {ccode!r} (contract {contract.code} has: {', '.join(criteria)})")
        if not text.strip():
            continue
        value = parse_float(text, what=f"grade on {ccode}")
        if not value.is_integer() or not contract.scale_min <= value <= contract.scale_max:
            raise InvalidInput(
                f"bad grade on {ccode} {text.strip()!r} (a whole number {contract.scale_min}-{contract.scale_max})"
            )
        interview.grades.append(Grade(criterion=criteria[ccode], value=int(value)))
    contract.interviews.append(interview)
    session.flush()
    return interview


INTERVIEW_COLUMNS = ("interview", "role", "unit", "date", "interviewer")


def import_interviews(session: OrmSession, contract_code: str, path: Path) -> list[Interview]:
    """Add every interview of a file, or none: one row per interview, one column per criterion code."""
    contract = get_contract(session, contract_code)
    criteria = [c.code for c in contract.criteria]
    added = []
    for line, row in read_rows(path, (*INTERVIEW_COLUMNS, *criteria), required=("interview", "role", "unit", "date")):
        fields = InterviewFields(
            row["role"], row["unit"], row["date"], row["interviewer"], {c: row[c] for c in criteria}
        )
        added.append(
            _at(path, line, lambda f=fields, r=row: add_interview(session, contract_code, r["interview"].strip(), f))
        )
    return added


def _interview(session: OrmSession, contract_code: str, code: str) -> Interview:
    contract = get_contract(session, contract_code)
    found = next((i for i in contract.interviews if i.code == code.strip()), None)
    if found is None:
        raise NotFound(f"no interview {code.strip()!r} in contract {contract_code}")
    return found


def add_quote(
    session: OrmSession, contract_code: str, interview: str, text: str, *, theme: str, cleared: bool = False
) -> InterviewQuote:
    """Record what an interviewee said, under a theme; only ``cleared`` quotes reach the report."""
    found = _interview(session, contract_code, interview)
    quote = InterviewQuote(
        theme=parse_vocab(QuoteTheme, theme, what="theme"),
        text=_text(text, what="quote text", limit=5_000, required=True),
        cleared=cleared,
    )
    found.quotes.append(quote)
    session.flush()
    return quote


QUOTE_COLUMNS = ("interview", "theme", "text", "cleared")


def import_quotes(session: OrmSession, contract_code: str, path: Path) -> list[InterviewQuote]:
    """Add every quote of a file (columns ``QUOTE_COLUMNS``), or none."""

    def one(r: Mapping[str, str]) -> InterviewQuote:
        cleared = parse_bool(r["cleared"], what="cleared")
        return add_quote(session, contract_code, r["interview"], r["text"], theme=r["theme"], cleared=cleared)

    rows = read_rows(path, QUOTE_COLUMNS, required=("interview", "theme", "text"))
    return [_at(path, line, lambda r=row: one(r)) for line, row in rows]


def list_interviews(session: OrmSession, contract_code: str) -> list[dict[str, Any]]:
    """Interviews with their grades and quotes (for the people who run the follow-up)."""
    return [
        {
            "interview": i.code,
            "role": i.role,
            "unit": i.unit,
            "date": i.date.isoformat(),
            "interviewer": i.interviewer,
            "grades": {g.criterion.code: g.value for g in sorted(i.grades, key=lambda g: g.criterion.position)},
            "quotes": [{"theme": q.theme.value, "text": q.text, "cleared": q.cleared} for q in i.quotes],
        }
        for i in get_contract(session, contract_code).interviews
    ]


# ---------------------------------------------------------------- the follow-up record (report, web)


@dataclass(frozen=True)
class CriterionGrades:
    code: str
    name: str | None  # None: a standard criterion, named by the report's translations
    summary: GradeSummary
    suppressed: bool  # fewer graders than the anonymity threshold: no figures


@dataclass(frozen=True)
class ServiceDelivery:
    format: Format
    volume: float | None
    delivered: float
    participants: int | None
    logged_sessions: int
    call_offs: list[str]


@dataclass(frozen=True)
class DeliveryPeriod:
    format: Format
    start: dt.date
    end: dt.date
    sessions: float
    participants: int | None


@dataclass(frozen=True)
class CallOffInfo:
    code: str
    title: str
    client: str
    format: Format
    start: dt.date
    end: dt.date
    sessions: int
    contracted: bool  # its format is one of the contract's services


@dataclass(frozen=True)
class LevelEvidence:
    """What the call-offs' own evaluations show at one level (the portfolio's headline effects)."""

    level: Level
    k: int
    n: int
    estimate: float
    ci_low: float
    ci_high: float
    pooled: bool  # a random-effects estimate over k >= 2 call-offs; else the one call-off's effect
    suppressed: int
    post_only: int


@dataclass(frozen=True)
class FollowUp:
    """Everything the contract follow-up report (and its web page) shows; quotes are cleared ones only."""

    code: str
    registration_number: str
    title: str
    buyer: str
    buyer_unit: str | None
    supplier: str
    start: dt.date
    end: dt.date
    scale_min: int
    scale_max: int
    min_group: int
    interviews: int
    interview_first: dt.date | None
    interview_last: dt.date | None
    interviewers: list[str]
    units: list[str]
    criteria: list[CriterionGrades]
    quotes: dict[QuoteTheme, list[str]]
    quotes_withheld: bool
    services: list[ServiceDelivery]
    periods: list[DeliveryPeriod]
    call_offs: list[CallOffInfo]
    evidence: list[LevelEvidence]


def follow_up(session: OrmSession, code: str, *, min_group: int = DEFAULT_MIN_GROUP) -> FollowUp:
    """The follow-up of contract ``code``: grades per criterion, cleared quotes, delivery, evidence."""
    if min_group < 1:
        raise InvalidInput(f"--min-group must be at least 1, not {min_group}")
    c = get_contract(session, code)
    interviews = c.interviews
    by_criterion: dict[int, list[int]] = {k.id: [] for k in c.criteria}
    for i in interviews:
        for g in i.grades:
            by_criterion[g.criterion_id].append(g.value)
    criteria = []
    for k in c.criteria:
        summary = grade_summary(by_criterion[k.id], scale_min=c.scale_min, scale_max=c.scale_max)
        criteria.append(CriterionGrades(k.code, k.name, summary, summary.n < min_group))
    withheld = len(interviews) < min_group
    quotes: dict[QuoteTheme, list[str]] = {t: [] for t in QuoteTheme}
    if not withheld:
        for i in interviews:
            for q in i.quotes:
                if q.cleared:
                    quotes[q.theme].append(q.text)
    call_offs = c.call_offs
    ids = [i.id for i in call_offs]
    logged: dict[int, int] = {}
    if ids:
        stmt = select(Session.intervention_id, func.count()).where(Session.intervention_id.in_(ids))
        logged = dict(session.execute(stmt.group_by(Session.intervention_id)).all())
    formats = {s.format for s in c.services}
    services = []
    for s in c.services:
        rows = [d for d in c.deliveries if d.service_id == s.id]
        mine = [i for i in call_offs if i.format == s.format]
        counted = [d.participants for d in rows if d.participants is not None]
        services.append(ServiceDelivery(
            s.format, s.volume, sum(d.sessions for d in rows), sum(counted) if counted else None,
            sum(logged.get(i.id, 0) for i in mine), [i.code for i in mine],
        ))  # fmt: skip
    return FollowUp(
        code=c.code,
        registration_number=c.registration_number,
        title=c.title,
        buyer=c.buyer.name,
        buyer_unit=c.buyer.unit,
        supplier=c.supplier,
        start=c.start_date,
        end=c.end_date,
        scale_min=c.scale_min,
        scale_max=c.scale_max,
        min_group=min_group,
        interviews=len(interviews),
        interview_first=min((i.date for i in interviews), default=None),
        interview_last=max((i.date for i in interviews), default=None),
        interviewers=sorted({i.interviewer for i in interviews if i.interviewer}),
        units=sorted({i.unit for i in interviews}),
        criteria=criteria,
        quotes=quotes,
        quotes_withheld=withheld,
        services=services,
        periods=[
            DeliveryPeriod(d.service.format, d.period_start, d.period_end, d.sessions, d.participants)
            for d in sorted(c.deliveries, key=lambda d: (d.period_start, d.service.format.value))
        ],
        call_offs=[
            CallOffInfo(
                i.code,
                i.title,
                i.client.name,
                i.format,
                i.start_date,
                i.end_date,
                logged.get(i.id, 0),
                i.format in formats,
            )
            for i in call_offs
        ],
        evidence=_evidence(session, [i.code for i in call_offs], min_group),
    )


def _evidence(session: OrmSession, codes: list[str], min_group: int) -> list[LevelEvidence]:
    """Per level, the call-offs' headline effects pooled as the portfolio pools them."""
    from kirkpatrick.services import analysis, portfolio

    if not codes:
        return []
    wanted = set(codes)
    infos = [i for i in portfolio.select_interventions(session, portfolio.PortfolioFilters()) if i.code in wanted]
    result = portfolio.assemble(infos, analysis.headline_effects(session, codes, min_group=min_group),
                                min_group=min_group)  # fmt: skip
    out = []
    for pool in result.levels:
        rows = result.effects_at(pool.level)
        if len(rows) == 1:
            est, lo, hi, pooled = rows[0].yi, rows[0].ci_low, rows[0].ci_high, False
        else:
            est, lo, hi, pooled = pool.pooled.estimate, pool.pooled.ci_low, pool.pooled.ci_high, True
        if not rows:
            est = lo = hi = math.nan
        out.append(LevelEvidence(pool.level, pool.k, pool.n, est, lo, hi, pooled, pool.suppressed, pool.post_only))
    return out
