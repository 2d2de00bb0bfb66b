"""What respondents read, edited in the browser: the questions of each questionnaire, the bank's
own questions, and the invitation and reminder e-mails (Swedish and English) with a preview.

Consultants and HR of the intervention's organisation choose a questionnaire's questions and
edit its e-mails (``Action.SURVEY``); consultants add questions to the bank
(``Action.SURVEY_BANK``). The functions called are the ones the CLI and the staff page call.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, Optional, Regexp

from kirkpatrick.collect import bank, mail, plan
from kirkpatrick.domain.errors import Duplicate, KirkpatrickError, NotFound
from kirkpatrick.domain.vocab import Level, Rater, Wave
from kirkpatrick.reports.environment import N_
from kirkpatrick.storage.models import Measure
from kirkpatrick.web import authz, errors
from kirkpatrick.web.authz import Action
from kirkpatrick.web.collection import LANGUAGES, RATERS, WAVES
from kirkpatrick.web.common import _, account, audit, lang, reading, writing
from kirkpatrick.web.forms import REQUIRED, Form, PlainForm, _choices, _pairs

bp = Blueprint("survey_texts", __name__)

KINDS = (("invite", N_("Invitation")), ("reminder", N_("Reminder")))
CODE_RULE = N_("Letters a-z, digits and _ only, starting with a letter.")


class QuestionForm(Form):
    code = StringField(
        N_("Question code"),
        validators=[DataRequired(REQUIRED), Length(max=64), Regexp(r"^[a-z][a-z0-9_]*$", message=CODE_RULE)],
    )
    kind = SelectField(N_("Kind of question"), choices=_pairs(("scale", N_("Scale")), ("open", N_("Open answer"))))
    measure = SelectField(N_("Measure the answer counts towards (scale questions)"), choices=[])
    item = StringField(N_("Item of the measure (measures with items)"), validators=[Optional(), Length(max=64)])
    text_sv = TextAreaField(N_("Wording in Swedish"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    text_en = TextAreaField(N_("Wording in English"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    other_sv = TextAreaField(
        N_("Wording for others rating the participant, in Swedish (optional)"),
        validators=[Optional(), Length(max=2000)],
    )
    other_en = TextAreaField(
        N_("Wording for others rating the participant, in English (optional)"),
        validators=[Optional(), Length(max=2000)],
    )
    level = SelectField(N_("Level (open questions)"), choices=[SelectChoice("", "\u2013"), *_choices(list(Level))])


class TemplateForm(Form):
    subject = StringField(N_("Subject"), validators=[DataRequired(REQUIRED), Length(max=mail.MAX_SUBJECT)])
    body = TextAreaField(
        N_("Message"), validators=[DataRequired(REQUIRED), Length(max=mail.MAX_BODY)], render_kw={"rows": 14}
    )


def _require(code: str, action: Action = Action.SURVEY) -> Any:
    with reading() as s:
        return authz.require(s, account(), action, code)


def _choice(value: str | None, allowed: tuple[tuple[str, str], ...]) -> str:
    return value if value in dict(allowed) else allowed[0][0]


# ------------------------------------------------------------------ questions


def _question_form() -> QuestionForm:
    form = QuestionForm(prefix="b")
    with reading() as s:
        measures = s.execute(select(Measure.code, Measure.name).order_by(Measure.code)).all()
    # A measure's name is shown as typed (templates/web/_form.html escapes every label).
    form.measure.choices = [SelectChoice("", "\u2013"), *(SelectChoice(c, f"{c}: {n}") for c, n in measures)]
    return form


def _questions_page(code: str, wave: str, rater: str, forms: dict[str, Any], status: int = 200) -> tuple[str, int]:
    facts = _require(code)
    with reading() as s:
        questions = bank.list_questions(s, facts.runner_org)
        described = plan.describe(s, code)
    chosen = next((q.questions for q in described.questionnaires if (q.wave, q.rater) == (wave, rater)), [])
    return (
        render_template(
            "web/survey_questions.html",
            code=code,
            wave=wave,
            rater=rater,
            wave_names=dict(WAVES),
            rater_names=dict(RATERS),
            waves=WAVES,
            raters=RATERS,
            bank=questions,
            chosen=chosen,
            text_lang=lang(),
            may_add=authz.may(account(), Action.SURVEY_BANK, facts),  # type: ignore[arg-type]
            forms=forms,
        ),
        status,
    )


def _forms() -> dict[str, Any]:
    return {"questionnaire": PlainForm(prefix="c"), "question": _question_form(), "error": None}


@bp.route("/i/<code>/survey/questions")
def questions(code: str) -> tuple[str, int]:
    wave = _choice(request.args.get("wave"), WAVES)
    rater = _choice(request.args.get("rater"), RATERS)
    return _questions_page(code, wave, rater, _forms())


@bp.route("/i/<code>/survey/questions/questionnaire", methods=["POST"])
def save_questionnaire(code: str) -> Response | tuple[str, int]:
    facts = _require(code)
    wave = _choice(request.form.get("wave"), WAVES)
    rater = _choice(request.form.get("rater"), RATERS)
    forms = _forms()
    if not forms["questionnaire"].validate_on_submit():
        return _questions_page(code, wave, rater, forms, 400)
    picked = request.form.getlist("questions")
    with reading() as s:
        known = [q.code for q in bank.list_questions(s, facts.runner_org)]
        current = next(
            (q.questions for q in plan.describe(s, code).questionnaires if (q.wave, q.rater) == (wave, rater)), []
        )
    # The questions already asked keep their order; newly chosen ones follow in the bank's order.
    wanted = [c for c in current if c in picked] + [c for c in known if c in picked and c not in current]
    if not wanted or len(wanted) != len(set(picked)):
        forms["error"] = N_("Choose at least one question of the bank.")
        return _questions_page(code, wave, rater, forms, 400)
    try:
        with writing() as s:
            plan.set_questionnaire(s, code, Wave(wave), Rater(rater), wanted)
            audit(s, "survey_questionnaire", code, f"{wave}/{rater}: {len(wanted)}", organisation_id=facts.client_org)
    except KirkpatrickError as exc:
        forms["error"] = errors.message(exc)
        return _questions_page(code, wave, rater, forms, 400)
    flash(_("Questionnaire saved."))
    return redirect(url_for("survey_texts.questions", code=code, wave=wave, rater=rater))


@bp.route("/i/<code>/survey/questions/add", methods=["POST"])
def add_question(code: str) -> Response | tuple[str, int]:
    facts = _require(code, Action.SURVEY_BANK)
    forms = _forms()
    form: QuestionForm = forms["question"]
    wave = _choice(request.form.get("wave"), WAVES)
    rater = _choice(request.form.get("rater"), RATERS)
    if form.validate_on_submit():
        if form.kind.data == "scale" and not form.measure.data:
            form.measure.errors = [N_("A scale question needs the measure its answers count towards.")]
        else:
            fields = bank.QuestionFields(
                code=form.code.data or "",
                kind=form.kind.data or "scale",
                text_sv=form.text_sv.data or "",
                text_en=form.text_en.data or "",
                measure=(form.measure.data or None) if form.kind.data == "scale" else None,
                item=(form.item.data or None) if form.kind.data == "scale" else None,
                other_sv=form.other_sv.data or None,
                other_en=form.other_en.data or None,
                level=(form.level.data or None) if form.kind.data == "open" else None,
            )
            try:
                with writing() as s:
                    bank.add_question(s, fields, owner=facts.runner_org)
                    audit(s, "survey_question_add", code, fields.code, organisation_id=facts.runner_org)
            except Duplicate:
                form.code.errors = [N_("The bank already has a question with this code.")]
            except NotFound as exc:
                if "has no item" in str(exc):
                    form.item.errors = [N_("The measure has no item with this code.")]
                else:
                    form.measure.errors = [errors.message(exc)]
            except KirkpatrickError as exc:
                if "name the item" in str(exc):
                    form.item.errors = [N_("This measure has items: name the item the answer counts towards.")]
                else:
                    form.code.errors = [errors.message(exc)]
            else:
                flash(_("Question %(code)s added to the bank.", code=fields.code))
                return redirect(url_for("survey_texts.questions", code=code, wave=wave, rater=rater) + "#bank")
    return _questions_page(code, wave, rater, forms, 400)


# ------------------------------------------------------------------ e-mail templates


def _mail_page(
    code: str, kind: str, text_lang: str, form: TemplateForm, shown: tuple[str, str] | None, status: int = 200
) -> tuple[str, int]:
    with reading() as s:
        iid = authz.require(s, account(), Action.SURVEY, code).intervention_id
        if shown is None:
            shown = mail.preview(s, iid, kind, text_lang, form.subject.data or "", form.body.data or "")
    return (
        render_template(
            "web/survey_mail.html",
            code=code,
            kind=kind,
            text_lang=text_lang,
            kinds=KINDS,
            languages=LANGUAGES,
            form=form,
            preview=shown,
        ),
        status,
    )


@bp.route("/i/<code>/survey/mail", methods=["GET", "POST"])
def mail_template(code: str) -> Response | tuple[str, int]:
    facts = _require(code)
    kind = _choice(request.values.get("kind"), KINDS)
    text_lang = _choice(request.values.get("text_lang"), LANGUAGES)
    form = TemplateForm(prefix="m")
    if request.method == "GET":
        with reading() as s:
            form.subject.data, form.body.data = mail.template_text(s, facts.intervention_id, kind, text_lang)
        return _mail_page(code, kind, text_lang, form, None)
    if not form.validate_on_submit():
        return _mail_page(code, kind, text_lang, form, ("", ""), 400)
    subject, body = form.subject.data or "", (form.body.data or "").replace("\r\n", "\n")
    if "\n" in subject or "\r" in subject:
        form.subject.errors = [N_("The subject must be one line.")]
    if "$link" not in body:
        form.body.errors = [N_("The message must contain $link, the respondent's personal link.")]
    if form.subject.errors or form.body.errors:
        return _mail_page(code, kind, text_lang, form, ("", ""), 400)
    try:
        mail.check_template(kind, text_lang, subject, body)
    except KirkpatrickError as exc:
        (form.subject if "subject" in str(exc) else form.body).errors = [errors.message(exc)]
        return _mail_page(code, kind, text_lang, form, ("", ""), 400)
    if request.form.get("action") != "save":
        return _mail_page(code, kind, text_lang, form, None)
    with writing() as s:
        mail.set_template(s, facts.intervention_id, kind, text_lang, subject, body)
        audit(s, "survey_mail_template", code, f"{kind}/{text_lang}", organisation_id=facts.client_org)
    flash(_("The message is saved."))
    return redirect(url_for("survey_texts.mail_template", code=code, kind=kind, text_lang=text_lang))
