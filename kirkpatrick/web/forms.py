"""The web forms (Flask-WTF: every form carries a CSRF token). Labels and messages are English
msgids, translated where they are shown (templates/web/_form.html)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kirkpatrick.domain.vocab import Format, Level, TargetGroup, TransferFactor
from kirkpatrick.reports.environment import N_, VOCAB_LABELS
from kirkpatrick.web.common import lang

REQUIRED = N_("This field is required.")


def _choices(members: list[object]) -> list[SelectChoice]:
    return [SelectChoice(m.value, VOCAB_LABELS[m]) for m in members]  # type: ignore[attr-defined,index]


def _pairs(*pairs: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, text) for value, text in pairs]


class Form(FlaskForm):
    """Every form of the application. WTForms' own messages ("Not a valid choice", "Invalid date")
    come in the page's language from the catalogues WTForms ships (``WTF_I18N_ENABLED`` is off:
    Flask-WTF's own switch needs Flask-Babel, which we do not use)."""

    class Meta:
        @property
        def locales(self) -> list[str]:
            return [lang()]


class SignInForm(Form):
    email = EmailField(
        N_("E-mail address"),
        validators=[DataRequired(REQUIRED), Length(max=320)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        N_("Password"),
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class UserForm(Form):
    email = EmailField(N_("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=320)])
    password = PasswordField(
        N_("Password (at least 10 characters)"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "new-password"},
    )
    role = SelectField(
        N_("Role"),
        choices=_pairs(
            ("consultant", N_("Consultant")), ("hr", N_("HR")), ("client", N_("Client")), ("admin", N_("Admin"))
        ),
    )
    organisation = StringField(N_("Organisation"), validators=[Optional(), Length(max=300)])


class OrganisationForm(Form):
    name = StringField(N_("Name"), validators=[DataRequired(REQUIRED), Length(max=300)])
    kind = SelectField(
        N_("Kind"), choices=_pairs(("client", N_("Client organisation")), ("consultancy", N_("Consultancy")))
    )


class LinkClientForm(Form):
    organisation = StringField(N_("Client organisation"), validators=[DataRequired(REQUIRED)])
    client = StringField(N_("Client"), validators=[DataRequired(REQUIRED)])


class LinkInterventionForm(Form):
    organisation = StringField(N_("Consultancy"), validators=[DataRequired(REQUIRED)])
    code = StringField(N_("Intervention code"), validators=[DataRequired(REQUIRED)])


class InterventionForm(Form):
    code = StringField(N_("Code"), validators=[DataRequired(REQUIRED), Length(max=64)])
    title = StringField(N_("Title"), validators=[DataRequired(REQUIRED), Length(max=300)])
    client = StringField(N_("Client"), validators=[DataRequired(REQUIRED), Length(max=300)])
    consultant = StringField(N_("Consultant"), validators=[Optional(), Length(max=300)])
    target_group = SelectField(N_("Target group"), choices=_choices(list(TargetGroup)))
    format = SelectField(N_("Format"), choices=_choices(list(Format)))
    start = DateField(N_("Start date"), validators=[DataRequired(REQUIRED)])
    end = DateField(N_("End date"), validators=[DataRequired(REQUIRED)])
    notes = TextAreaField(N_("Notes"), validators=[Optional(), Length(max=10_000)])


class SessionForm(Form):
    date = DateField(N_("Session date"), validators=[DataRequired(REQUIRED)])


class FactorForm(Form):
    factor = SelectField(N_("Transfer factor"), choices=_choices(list(TransferFactor)))
    present = BooleanField(N_("Used in this intervention"))
    note = StringField(N_("Note"), validators=[Optional(), Length(max=1000)])


class FeedbackForm(Form):
    text = TextAreaField(N_("Quote"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    level = SelectField(N_("Level"), choices=[SelectChoice("", "\u2013"), *_choices(list(Level))])
    theme = StringField(N_("Theme"), validators=[Optional(), Length(max=100)])
    cleared = BooleanField(N_("Cleared for reports"))


class PlainForm(Form):
    """A button: nothing but the CSRF token."""


class UploadForm(Form):
    file = FileField(N_("Measurement file (.csv, .tsv or .xlsx)"), validators=[FileRequired(REQUIRED)])
    layout = SelectField(N_("Layout"), choices=_pairs(("", N_("Detect")), ("long", N_("Long")), ("wide", N_("Wide"))))
    wave = SelectField(
        N_("Wave (wide files)"),
        choices=_pairs(("", "\u2013"), ("pre", N_("Before")), ("post", N_("After")), ("follow_up", N_("Follow-up"))),
    )
    rater = SelectField(
        N_("Rater (wide files)"),
        choices=_pairs(
            ("", "\u2013"),
            ("self", N_("Self-rating")),
            ("manager", N_("Manager")),
            ("report", N_("Direct reports")),
            ("peer", N_("Peers")),
            ("org", N_("Records")),
        ),
    )


class ShareForm(Form):
    days = IntegerField(N_("Valid for (days)"), default=30, validators=[DataRequired(REQUIRED), NumberRange(1, 365)])
    lang = SelectField(N_("Language of the report"), choices=_pairs(("sv", "Svenska"), ("en", "English")))


class EraseForm(Form):
    participant = StringField(N_("Participant code"), validators=[DataRequired(REQUIRED), Length(max=64)])


class DeleteForm(Form):
    confirm = StringField(N_("Type the intervention code to confirm"), validators=[DataRequired(REQUIRED)])
