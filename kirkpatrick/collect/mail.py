"""Invitations and reminders by e-mail through an outbox.

Each message has one outbox row, unique per invitation x kind x number, written and committed
before the SMTP conversation; ``sending`` is committed before the send and ``sent`` after it.
A rerun after a crash skips every row that is not ``pending``: a message that died between the
send and the mark stays ``sending`` and is not resent automatically (at most once per key);
``resend`` puts such rows back to ``pending`` after a person has checked.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from string import Template
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.collect.links import issue_link
from kirkpatrick.domain.errors import InvalidInput, NotFound
from kirkpatrick.storage import db
from kirkpatrick.storage.collect import Contact, Invitation, MailTemplate, Outbox, SurveyWave
from kirkpatrick.storage.models import Intervention

SMTP_ENV = "KIRKPATRICK_SMTP_URL"
FROM_ENV = "KIRKPATRICK_MAIL_FROM"
BASE_URL_ENV = "KIRKPATRICK_BASE_URL"
BANK = Path(__file__).resolve().parent / "bank"
KINDS = ("invite", "reminder")
MAX_SUBJECT = 300
MAX_BODY = 20_000


@dataclass(frozen=True)
class SmtpSettings:
    """Where to send: ``smtp://[user:password@]host[:port]`` (STARTTLS when the server offers it;
    ``?starttls=require`` insists), or ``smtps://`` (TLS from the start)."""

    host: str
    port: int
    implicit_tls: bool
    starttls: str  # "auto", "require" or "never"
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise InvalidInput("SMTP URL must look like smtp://user:password@host:587 or smtps://host:465")
        starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
        if starttls not in ("auto", "require", "never"):
            raise InvalidInput("starttls must be auto, require or never")
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 25),
            implicit_tls=implicit,
            starttls=starttls,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    @classmethod
    def from_env(cls) -> SmtpSettings:
        url = os.environ.get(SMTP_ENV)
        if not url:
            raise InvalidInput(f"set ${SMTP_ENV} (e.g. smtp://user:password@mail.example.org:587)")
        return cls.from_url(url)


Sender = Callable[[EmailMessage], None]


def smtp_sender(settings: SmtpSettings, timeout: float = 30.0) -> tuple[Sender, Callable[[], None]]:
    """A function that sends one message over one SMTP connection, and one that closes it."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.implicit_tls:
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        client.ehlo()
        if settings.starttls != "never" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        elif settings.starttls == "require":
            client.quit()
            raise InvalidInput(f"the SMTP server {settings.host} does not offer STARTTLS")
    if settings.user:
        client.login(settings.user, settings.password or "")

    def send(message: EmailMessage) -> None:
        client.send_message(message)

    def close() -> None:
        try:
            client.quit()
        except smtplib.SMTPException:
            client.close()

    return send, close


@dataclass(frozen=True)
class SendReport:
    queued: int
    sent: int
    failed: int
    stuck: int  # rows left in 'sending' by an earlier run that died: not resent

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def template_text(session: OrmSession, intervention_id: int, kind: str, lang: str) -> tuple[str, str]:
    """Subject and body: the intervention's edited template, else the shipped one."""
    custom = session.scalars(
        select(MailTemplate).where(
            MailTemplate.intervention_id == intervention_id, MailTemplate.kind == kind, MailTemplate.lang == lang
        )
    ).one_or_none()
    if custom is not None:
        return custom.subject, custom.body
    return shipped_template(kind, lang)


def shipped_template(kind: str, lang: str) -> tuple[str, str]:
    """Subject and body of the shipped template (collect/bank/KIND_LANG.txt)."""
    subject, _, body = (BANK / f"{kind}_{lang}.txt").read_text(encoding="utf-8").partition("\n")
    return subject.strip(), body.lstrip("\n")


def check_template(kind: str, lang: str, subject: str, body: str) -> None:
    """``InvalidInput`` unless the template can be sent: a known kind and language, a one-line
    subject (a line break would start a new mail header), a body with the personal link."""
    if kind not in KINDS or lang not in ("sv", "en"):
        raise InvalidInput("template kind must be invite or reminder, language sv or en")
    if not subject.strip() or len(subject.strip()) > MAX_SUBJECT:
        raise InvalidInput(f"the subject must be 1 to {MAX_SUBJECT} characters")
    if "\n" in subject or "\r" in subject:
        raise InvalidInput("the subject must be one line")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"the message body must be at most {MAX_BODY} characters")
    if "$link" not in body:
        raise InvalidInput("the message body must contain $link (the respondent's personal link)")


def fill(subject: str, body: str, values: dict[str, str]) -> tuple[str, str]:
    """The template with ``$link``, ``$title`` and ``$closes_on`` filled: what the respondent gets,
    as plain text (the message is text/plain; nothing in it is read as markup)."""
    return Template(subject).safe_substitute(values), Template(body).safe_substitute(values)


def preview(
    session: OrmSession, intervention_id: int, kind: str, lang: str, subject: str, body: str
) -> tuple[str, str]:
    """The message as a respondent would get it, with an example link and the wave's closing date."""
    intervention = session.get_one(Intervention, intervention_id)
    closes = session.scalars(
        select(func.max(SurveyWave.closes_on)).where(SurveyWave.intervention_id == intervention_id)
    ).one()
    values = {
        "link": "https://survey.example/s/" + "x" * 43,
        "title": intervention.title,
        "closes_on": closes.isoformat() if closes else dt.date.today().isoformat(),
    }
    return fill(subject, body, values)


def set_template(session: OrmSession, intervention_id: int, kind: str, lang: str, subject: str, body: str) -> None:
    check_template(kind, lang, subject, body)
    row = session.scalars(
        select(MailTemplate).where(
            MailTemplate.intervention_id == intervention_id, MailTemplate.kind == kind, MailTemplate.lang == lang
        )
    ).one_or_none() or MailTemplate(intervention_id=intervention_id, kind=kind, lang=lang)
    row.subject, row.body = subject.strip(), body
    session.add(row)
    session.flush()


def queue_due(session: OrmSession, today: dt.date, *, intervention_id: int | None = None) -> int:
    """Add outbox rows for what is due today: invitations of open waves not yet invited, and
    reminders to those who have not answered (every ``reminder_days``, at most ``max_reminders``)."""
    query = (
        select(Invitation, SurveyWave)
        .join(
            SurveyWave,
            (SurveyWave.intervention_id == Invitation.intervention_id) & (SurveyWave.wave == Invitation.wave),
        )
        .where(SurveyWave.opens_on <= today, SurveyWave.closes_on >= today, Invitation.contact_id.is_not(None))
    )
    if intervention_id is not None:
        query = query.where(Invitation.intervention_id == intervention_id)
    rows = session.execute(query).all()
    ids = [inv.id for inv, _ in rows]
    last: dict[int, tuple[int, dt.datetime]] = {}
    for invitation_id, number, created in session.execute(
        select(Outbox.invitation_id, Outbox.number, Outbox.created_at).where(Outbox.invitation_id.in_(ids))
    ):
        if invitation_id not in last or number > last[invitation_id][0]:
            last[invitation_id] = (number, created)
    now = dt.datetime.combine(today, dt.time())
    queued = 0
    for invitation, wave in rows:
        if invitation.id not in last:
            kind, number = "invite", 0
        else:
            if invitation.answered_at is not None:
                continue
            number, created = last[invitation.id]
            if number >= wave.max_reminders or (today - created.date()).days < wave.reminder_days:
                continue
            kind, number = "reminder", number + 1
        try:
            with session.begin_nested():
                session.add(
                    Outbox(invitation_id=invitation.id, kind=kind, number=number, state="pending", created_at=now)
                )
            queued += 1
        except IntegrityError:
            pass  # another run queued it first: the unique key keeps one
    return queued


def _claim(engine: Engine, outbox_id: int) -> bool:
    """Move one row from pending to sending and commit; False if another run took it."""
    with db.transaction(engine) as session:
        result = session.execute(
            update(Outbox).where(Outbox.id == outbox_id, Outbox.state == "pending").values(state="sending")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _compose(engine: Engine, outbox_id: int, base_url: str, sender_address: str) -> EmailMessage | None:
    with db.transaction(engine) as session:
        row = session.get_one(Outbox, outbox_id)
        invitation = session.get_one(Invitation, row.invitation_id)
        contact = session.get(Contact, invitation.contact_id) if invitation.contact_id else None
        if contact is None:
            return None
        wave = session.scalars(
            select(SurveyWave).where(
                SurveyWave.intervention_id == invitation.intervention_id, SurveyWave.wave == invitation.wave
            )
        ).one()
        intervention = session.get_one(Intervention, invitation.intervention_id)
        token = issue_link(session, invitation.id)  # only its hash is stored; the token lives in the message
        subject, body = template_text(session, intervention.id, row.kind, invitation.lang)
        values = {
            "link": f"{base_url.rstrip('/')}/s/{token}",
            "title": intervention.title,
            "closes_on": wave.closes_on.isoformat(),
        }
        subject, body = fill(subject, body, values)
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = sender_address
        message["To"] = contact.email
        message["Message-ID"] = make_msgid(domain="kirkpatrick.invalid")
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body)
        return message


def _mark(engine: Engine, outbox_id: int, state: str, error: str | None = None) -> None:
    with db.transaction(engine) as session:
        row = session.get_one(Outbox, outbox_id)
        row.state = state
        row.error = error
        if state == "sent":
            row.sent_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def send_due(
    engine: Engine,
    sender: Sender,
    *,
    today: dt.date | None = None,
    base_url: str | None = None,
    sender_address: str | None = None,
    intervention: str | None = None,
) -> SendReport:
    """Queue what is due and send every pending message; safe to run again at any time."""
    today = today or dt.datetime.now(dt.UTC).date()
    base_url = base_url or os.environ.get(BASE_URL_ENV) or "http://localhost:5000"
    sender_address = sender_address or os.environ.get(FROM_ENV) or "kirkpatrick@localhost"
    with db.transaction(engine) as session:
        iid = None
        if intervention is not None:
            found = session.scalars(select(Intervention.id).where(Intervention.code == intervention)).one_or_none()
            if found is None:
                raise NotFound(f"no intervention with code {intervention!r}")
            iid = found
        queued = queue_due(session, today, intervention_id=iid)
    with db.reading(engine) as session:
        query = select(Outbox.id).where(Outbox.state == "pending").order_by(Outbox.id)
        stuck_query = select(func.count()).select_from(Outbox).where(Outbox.state == "sending")
        if iid is not None:
            query = query.join(Invitation, Invitation.id == Outbox.invitation_id).where(
                Invitation.intervention_id == iid
            )
        pending = list(session.scalars(query))
        stuck = session.scalar(stuck_query) or 0
    sent = failed = 0
    for outbox_id in pending:
        if not _claim(engine, outbox_id):
            continue
        try:
            message = _compose(engine, outbox_id, base_url, sender_address)
            if message is None:
                _mark(engine, outbox_id, "failed", "no address (deleted)")
                failed += 1
                continue
            sender(message)
        except (smtplib.SMTPException, OSError) as exc:
            # Refused before or during the send: nothing was delivered by this attempt.
            _mark(engine, outbox_id, "failed", type(exc).__name__)
            failed += 1
            continue
        _mark(engine, outbox_id, "sent")
        sent += 1
    return SendReport(queued, sent, failed, stuck)


def resend(session: OrmSession, outbox_ids: list[int]) -> int:
    """Put stuck (``sending``) or failed rows back to pending, after a person has checked."""
    result = session.execute(
        update(Outbox).where(Outbox.id.in_(outbox_ids), Outbox.state.in_(["sending", "failed"])).values(state="pending")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    participant: str
    wave: str
    rater: str
    kind: str
    number: int
    state: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def list_outbox(session: OrmSession, intervention_id: int, state: str | None = None) -> list[OutboxRecord]:
    from kirkpatrick.storage.models import Participant

    query = (
        select(Outbox, Invitation, Participant.code)
        .join(Invitation, Invitation.id == Outbox.invitation_id)
        .join(Participant, Participant.id == Invitation.participant_id)
        .where(Invitation.intervention_id == intervention_id)
        .order_by(Outbox.id)
    )
    if state:
        query = query.where(Outbox.state == state)
    return [
        OutboxRecord(o.id, code, i.wave.value, i.rater.value, o.kind, o.number, o.state, o.created_at, o.sent_at)
        for o, i, code in session.execute(query)
    ]


def send_due_now(
    engine: Engine, *, intervention: str | None = None, today: dt.date | None = None, timeout: float = 30.0
) -> SendReport:
    """What ``kirkpatrick survey send`` and the staff page's button do: connect to the server of
    ``$KIRKPATRICK_SMTP_URL`` (``InvalidInput`` when it is unset), send what is due, disconnect."""
    send, close = smtp_sender(SmtpSettings.from_env(), timeout=timeout)
    try:
        return send_due(engine, send, today=today, intervention=intervention)
    finally:
        close()
