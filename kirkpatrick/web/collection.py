"""Staff pages of built-in data collection for one intervention: questionnaires per wave and
rater, the wave schedule, respondents and raters, response tracking and "send what is due now".

Consultants and HR of the intervention's organisation manage them (``Action.SURVEY``); clients
do not see them. The functions called are the ones ``kirkpatrick survey ...`` calls.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from kirkpatrick.collect import bank, mail, plan, tracking
from kirkpatrick.domain.errors import InvalidInput, KirkpatrickError
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.reports.environment import N_
from kirkpatrick.services import records
from kirkpatrick.web import authz, errors
from kirkpatrick.web.authz import Action
from kirkpatrick.web.common import _, account, audit, reading, writing
from kirkpatrick.web.forms import REQUIRED, Form, PlainForm, _pairs

bp = Blueprint("surveys", __name__)

WAVES = (("pre", N_("Before")), ("post", N_("After")), ("follow_up", N_("Follow-up")))
RATERS = (
    ("self", N_("Self-rating")),
    ("manager", N_("Manager")),
    ("report", N_("Direct reports")),
    ("peer", N_("Peers")),
)
LANGUAGES = (("sv", "Svenska"), ("en", "English"))


class QuestionnaireForm(Form):
    wave = SelectField(N_("Wave"), choices=_pairs(*WAVES))
    rater = SelectField(N_("Rater"), choices=_pairs(*RATERS))
    questions = StringField(
        N_("Question codes, separated by commas (empty: the default set)"), validators=[Length(max=2000)]
    )


class WaveForm(Form):
    wave = SelectField(N_("Wave"), choices=_pairs(*WAVES))
    opens = DateField(N_("Opens on"), validators=[DataRequired(REQUIRED)])
    closes = DateField(N_("Closes on"), validators=[DataRequired(REQUIRED)])
    reminder_days = IntegerField(
        N_("Days between reminders"), default=4, validators=[DataRequired(REQUIRED), NumberRange(1, 60)]
    )
    max_reminders = IntegerField(N_("Reminders at most"), default=2, validators=[NumberRange(0, 10)])


class RespondentForm(Form):
    participant = StringField(N_("Participant code"), validators=[DataRequired(REQUIRED), Length(max=64)])
    email = EmailField(N_("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=320)])
    lang = SelectField(N_("Language"), choices=_pairs(*LANGUAGES))
    rater = SelectField(N_("Rater"), choices=_pairs(*RATERS))


def _forms() -> dict[str, FlaskForm]:
    return {
        "questionnaire": QuestionnaireForm(prefix="q"),
        "wave": WaveForm(prefix="w"),
        "respondent": RespondentForm(prefix="r"),
        "send": PlainForm(prefix="s"),
    }


def _page(code: str, forms: dict[str, FlaskForm], status: int = 200) -> tuple[str, int]:
    with reading() as s:
        details = records.describe_intervention(s, code)
        described = plan.describe(s, code)
        rows = tracking.response_tracking(s, code)
        threshold = tracking.group_threshold(s, code)
    return (
        render_template(
            "web/surveys.html",
            code=code,
            title=details["title"],
            plan=described,
            rows=[(r, tracking.withheld(r)) for r in rows],
            min_group=threshold,
            wave_names=dict(WAVES),
            rater_names=dict(RATERS),
            forms=forms,
        ),
        status,
    )


def _require(code: str) -> Any:
    with reading() as s:
        return authz.require(s, account(), Action.SURVEY, code)


@bp.route("/i/<code>/survey")
def page(code: str) -> tuple[str, int]:
    _require(code)
    return _page(code, _forms())


def _ensure_bank(session: Any) -> None:
    """The shipped question bank (and its measures) on first use, as ``kirkpatrick survey bank``."""
    if bank.missing_measures(session):
        records.import_measures(session, bank.measures_csv())
    bank.load_bank(session)


@bp.route("/i/<code>/survey/questionnaire", methods=["POST"])
def questionnaire(code: str) -> Response | tuple[str, int]:
    facts = _require(code)
    forms = _forms()
    form = forms["questionnaire"]
    assert isinstance(form, QuestionnaireForm)
    if form.validate_on_submit():
        wanted = [c.strip() for c in (form.questions.data or "").split(",") if c.strip()]
        try:
            with writing() as s:
                _ensure_bank(s)
                plan.set_questionnaire(s, code, Wave(form.wave.data), Rater(form.rater.data), wanted)
                audit(s, "survey_questionnaire", code, f"{form.wave.data}/{form.rater.data}",
                      organisation_id=facts.client_org)  # fmt: skip
            flash(_("Questionnaire saved."))
            return redirect(url_for("surveys.page", code=code) + "#questionnaires")
        except KirkpatrickError as exc:
            form.questions.errors = [errors.message(exc)]
    return _page(code, forms, 400)


@bp.route("/i/<code>/survey/wave", methods=["POST"])
def wave(code: str) -> Response | tuple[str, int]:
    facts = _require(code)
    forms = _forms()
    form = forms["wave"]
    assert isinstance(form, WaveForm)
    if form.validate_on_submit():
        assert form.opens.data is not None and form.closes.data is not None
        if form.closes.data < form.opens.data:
            form.closes.errors = [_("The wave closes before it opens.")]
        else:
            try:
                with writing() as s:
                    plan.set_wave(
                        s, code, Wave(form.wave.data), form.opens.data, form.closes.data,
                        reminder_days=form.reminder_days.data or 4, max_reminders=form.max_reminders.data or 0,
                    )  # fmt: skip
                    audit(s, "survey_wave", code, form.wave.data, organisation_id=facts.client_org)
                flash(_("Wave saved."))
                return redirect(url_for("surveys.page", code=code) + "#waves")
            except KirkpatrickError as exc:
                form.opens.errors = [errors.message(exc)]
    return _page(code, forms, 400)


@bp.route("/i/<code>/survey/respondent", methods=["POST"])
def respondent(code: str) -> Response | tuple[str, int]:
    facts = _require(code)
    forms = _forms()
    form = forms["respondent"]
    assert isinstance(form, RespondentForm)
    if form.validate_on_submit():
        try:
            plan.check_email(form.email.data or "")
        except InvalidInput:
            form.email.errors = [_("Not an e-mail address.")]
        else:
            try:
                with writing() as s:
                    added = plan.add_respondent(
                        s, code, form.participant.data or "", form.email.data or "",
                        rater=Rater(form.rater.data), lang=form.lang.data or "sv",
                    )  # fmt: skip
                    audit(s, "survey_respondent", code, added.rater, organisation_id=facts.client_org)
                flash(_("Respondent added with %(n)s new invitations.", n=added.invitations))
                return redirect(url_for("surveys.page", code=code) + "#respondents")
            except KirkpatrickError as exc:
                form.participant.errors = [errors.message(exc)]
    return _page(code, forms, 400)


@bp.route("/i/<code>/survey/send", methods=["POST"])
def send(code: str) -> Response | tuple[str, int]:
    facts = _require(code)
    forms = _forms()
    if not forms["send"].validate_on_submit():
        return _page(code, forms, 400)
    import os

    from flask import current_app

    if not os.environ.get(mail.SMTP_ENV):
        flash(_("Nothing was sent: the server has no mail settings (KIRKPATRICK_SMTP_URL is not set)."))
        return redirect(url_for("surveys.page", code=code) + "#send")
    try:
        report = mail.send_due_now(current_app.extensions["kirkpatrick_engine"], intervention=code)
    except (KirkpatrickError, OSError) as exc:
        current_app.logger.warning("survey send for %s failed: %s", code, type(exc).__name__)
        flash(_("Nothing was sent: the mail server could not be reached or refused the settings."))
        return redirect(url_for("surveys.page", code=code) + "#send")
    with writing() as s:
        audit(s, "survey_send", code, f"sent {report.sent}, failed {report.failed}", organisation_id=facts.client_org)
    flash(
        _(
            "Queued %(queued)s, sent %(sent)s, failed %(failed)s; left unsent by an interrupted run %(stuck)s.",
            queued=report.queued,
            sent=report.sent,
            failed=report.failed,
            stuck=report.stuck,
        )
    )
    return redirect(url_for("surveys.page", code=code) + "#send")
