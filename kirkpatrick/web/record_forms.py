"""The forms of the catalogue, clients, participants, feedback files and user editing (Flask-WTF:
every form carries a CSRF token). Labels, hints and messages are English msgids, translated where
they are shown (templates/web/_form.html)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from kirkpatrick.domain.vocab import Group, Level
from kirkpatrick.reports.environment import N_
from kirkpatrick.web.forms import REQUIRED, Form, UserForm, _choices

TOO_LONG = N_("The text is too long.")


class MeasureForm(Form):
    code = StringField(
        N_("Code"),
        validators=[DataRequired(REQUIRED), Length(max=64, message=TOO_LONG)],
        description=N_("Letters, digits, - and _; it cannot change later."),
    )
    name = StringField(
        N_("Name shown in reports"), validators=[DataRequired(REQUIRED), Length(max=300, message=TOO_LONG)]
    )
    level = SelectField(N_("Level"), choices=_choices(list(Level)))
    scale_min = StringField(
        N_("Lowest possible value"), validators=[DataRequired(REQUIRED), Length(max=30, message=TOO_LONG)]
    )
    scale_max = StringField(
        N_("Highest possible value"), validators=[DataRequired(REQUIRED), Length(max=30, message=TOO_LONG)]
    )
    higher_is_better = BooleanField(N_("Higher values are better"), default=True)
    reliability = StringField(
        N_("Reliability"),
        validators=[Optional(), Length(max=30, message=TOO_LONG)],
        description=N_("For example Cronbach's alpha, between 0 and 1; used for reliable change."),
    )
    items = StringField(
        N_("Items"),
        validators=[Optional(), Length(max=2000, message=TOO_LONG)],
        description=N_("Item codes separated by spaces; a - before a code marks a reverse-scored item."),
    )
    wording = TextAreaField(
        N_("Wording of the question"),
        validators=[Optional(), Length(max=10_000, message=TOO_LONG)],
        description=N_("One wording a line: Swedish, English, an older version."),
    )
    labels = TextAreaField(
        N_("Answer labels"),
        validators=[Optional(), Length(max=10_000, message=TOO_LONG)],
        description=N_("One label a line, the lowest value first; one for every step of the scale."),
    )
    no_answer = TextAreaField(
        N_("Labels that mean no answer"),
        validators=[Optional(), Length(max=10_000, message=TOO_LONG)],
        description=N_("One a line, for example Vet ej."),
    )
    item_wording = TextAreaField(
        N_("Wording of the items"),
        validators=[Optional(), Length(max=50_000, message=TOO_LONG)],
        description=N_("One item a line: the item code, then its wordings, separated by |."),
    )


class ClientForm(Form):
    name = StringField(N_("Name"), validators=[DataRequired(REQUIRED), Length(max=300, message=TOO_LONG)])
    unit = StringField(
        N_("Unit"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
        description=N_("Department or unit, for example Socialkontoret."),
    )


class ParticipantForm(Form):
    group = SelectField(N_("Group"), choices=_choices(list(Group)))
    role = StringField(
        N_("Role"),
        validators=[Optional(), Length(max=100, message=TOO_LONG)],
        description=N_("For example first-line manager; leave empty if not known."),
    )


class TableUploadForm(Form):
    """A table to import; its label and hint are set for the kind of table (web/tables.py)."""

    file = FileField(N_("File (.csv, .tsv or .xlsx)"), validators=[FileRequired(REQUIRED)])


class EditUserForm(Form):
    email = EmailField(N_("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=320, message=TOO_LONG)])
    role = SelectField(N_("Role"), choices=UserForm.role.kwargs["choices"])
    organisation = StringField(
        N_("Organisation"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
        description=N_("Created if new; empty for an admin."),
    )
    password = PasswordField(
        N_("New password"),
        validators=[Optional(), Length(max=1000, message=TOO_LONG)],
        render_kw={"autocomplete": "new-password"},
        description=N_("At least 10 characters. Leave empty to keep the password."),
    )


class ContractForm(Form):
    code = StringField(N_("Code"), validators=[DataRequired(REQUIRED), Length(max=64, message=TOO_LONG)])
    registration_number = StringField(
        N_("Registration number"), validators=[DataRequired(REQUIRED), Length(max=100, message=TOO_LONG)]
    )
    title = StringField(N_("Title"), validators=[DataRequired(REQUIRED), Length(max=300, message=TOO_LONG)])
    buyer = StringField(
        N_("Buyer"),
        validators=[DataRequired(REQUIRED), Length(max=300, message=TOO_LONG)],
        description=N_("The client that bought the services; created if new."),
    )
    supplier = StringField(N_("Supplier"), validators=[DataRequired(REQUIRED), Length(max=300, message=TOO_LONG)])
    start = DateField(N_("Start date"), validators=[DataRequired(REQUIRED)])
    end = DateField(N_("End date"), validators=[DataRequired(REQUIRED)])
    scale = StringField(
        N_("Grading scale"),
        default="1-5",
        validators=[DataRequired(REQUIRED), Length(max=20, message=TOO_LONG)],
        description=N_("Lowest and highest grade, for example 1-5."),
    )
    criteria = TextAreaField(
        N_("Award criteria"),
        validators=[Optional(), Length(max=5000, message=TOO_LONG)],
        description=N_("One a line: a code, or code=name. Empty: the four standard criteria."),
    )
    services = TextAreaField(
        N_("Contracted services"),
        validators=[Optional(), Length(max=5000, message=TOO_LONG)],
        description=N_("One a line: a format, or format=number of sessions."),
    )
    notes = TextAreaField(N_("Notes"), validators=[Optional(), Length(max=10_000, message=TOO_LONG)])
    call_offs = StringField(
        N_("Call-offs"),
        validators=[DataRequired(REQUIRED), Length(max=2000, message=TOO_LONG)],
        description=N_(
            "Codes of your interventions called off under the contract, separated by spaces. The contract is "
            "shown to those who own all of them."
        ),
    )


class CallOffForm(Form):
    call_offs = StringField(
        N_("Interventions"),
        validators=[DataRequired(REQUIRED), Length(max=2000, message=TOO_LONG)],
        description=N_("Codes of your interventions, separated by spaces."),
    )
    remove = BooleanField(N_("Remove them from the contract instead"))
