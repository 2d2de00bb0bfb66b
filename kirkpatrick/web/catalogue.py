"""The measures catalogue and the clients: lists, add and edit forms (the CLI's ``measure add``,
``measure import`` and ``client add``; editing through ``services.catalogue``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from kirkpatrick.domain.errors import KirkpatrickError, NotFound
from kirkpatrick.services import catalogue, records
from kirkpatrick.services.records import MeasureFields
from kirkpatrick.web import authz, errors
from kirkpatrick.web.authz import Area
from kirkpatrick.web.common import _, account, audit, reading, writing
from kirkpatrick.web.record_forms import ClientForm, MeasureForm

bp = Blueprint("catalogue", __name__)
SEP = f" {catalogue.SEPARATOR} "


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# Which field a service's message is about (first match wins); otherwise the first field.
_ABOUT = (
    ("cannot change while", "level"),
    ("answer labels", "labels"),
    ("has no item", "item_wording"),
    ("given twice", "item_wording"),
    ("item", "items"),
    ("scale", "scale_max"),
    ("reliability", "reliability"),
    ("already exists", "code"),
    ("measure code", "code"),
    ("name", "name"),
    ("level", "level"),
)


def _show_error(form: MeasureForm, exc: KirkpatrickError) -> None:
    """The service's message under the field it is about."""
    text = str(exc)
    names = [name for key, name in _ABOUT if key in text and name in form]
    field = form[names[0]] if names else next(f for f in form if f.type != "CSRFTokenField")
    field.errors = [errors.message(exc)]


def _fields(form: MeasureForm, code: str) -> MeasureFields:
    return MeasureFields(
        code=code,
        name=form.name.data or "",
        level=form.level.data or "",
        scale_min=form.scale_min.data or "",
        scale_max=form.scale_max.data or "",
        higher_is_better="true" if form.higher_is_better.data else "false",
        reliability=form.reliability.data or "",
        items=form.items.data or "",
        wording=SEP.join(_lines(form.wording.data)),
        labels=SEP.join(_lines(form.labels.data)),
        no_answer=SEP.join(_lines(form.no_answer.data)),
    )


@bp.route("/measures")
def measures() -> str:
    me = authz.require_role(account(), Area.CATALOGUE)
    with reading() as s:
        rows = [(m, authz.may_change_measure(me, users)) for m, users in catalogue.catalogue_rows(s)]
    return render_template("web/measures.html", rows=rows)


@bp.route("/measures/new", methods=["GET", "POST"])
def new_measure() -> str | Response:
    authz.require_role(account(), Area.CATALOGUE)
    form = MeasureForm()
    if form.validate_on_submit():
        try:
            with writing() as s:
                added = catalogue.add_measure(s, _fields(form, form.code.data or ""), _lines(form.item_wording.data))
                audit(s, "measure_add", added.code, added.level.value)
                code = added.code
            flash(_("Measure %(code)s saved.", code=code))
            return redirect(url_for("catalogue.measures"))
        except KirkpatrickError as exc:
            _show_error(form, exc)
    return render_template(
        "web/record_form.html",
        form=form,
        title=_("New measure"),
        back_url=url_for("catalogue.measures"),
        back_text=_("Measures"),
    )


@bp.route("/measures/<code>/edit", methods=["GET", "POST"])
def edit_measure(code: str) -> str | Response:
    with reading() as s:
        authz.require_measure(s, account(), code)
        stored = records.get_measure(s, code)
        values, asked = catalogue.measure_usage(s, stored)
        start = catalogue.measure_fields(stored)
        item_lines = catalogue.item_wording_lines(stored)
    form = MeasureForm()
    del form.code
    if not form.is_submitted():
        for name in ("name", "level", "scale_min", "scale_max", "reliability", "items"):
            getattr(form, name).data = getattr(start, name)
        form.higher_is_better.data = start.higher_is_better == "true"
        for name in ("wording", "labels", "no_answer"):
            getattr(form, name).data = "\n".join(p.strip() for p in getattr(start, name).split("|") if p.strip())
        form.item_wording.data = "\n".join(item_lines)
    if form.validate_on_submit():
        try:
            with writing() as s:
                catalogue.edit_measure(s, code, _fields(form, code), _lines(form.item_wording.data))
                audit(s, "measure_edit", code)
            flash(_("Measure %(code)s saved.", code=code))
            return redirect(url_for("catalogue.measures"))
        except KirkpatrickError as exc:
            _show_error(form, exc)
    locked = _("Level, scale and items cannot change: values or questionnaire questions use this measure.")
    return render_template(
        "web/record_form.html",
        form=form,
        title=_("Edit measure %(code)s", code=code),
        back_url=url_for("catalogue.measures"),
        back_text=_("Measures"),
        note=locked if values or asked else None,
    )


@bp.route("/clients")
def clients() -> str:
    me = authz.require_role(account(), Area.CLIENTS)
    with reading() as s:
        rows = authz.visible_clients(s, me)
    return render_template("web/clients.html", rows=rows)


@bp.route("/clients/new", methods=["GET", "POST"])
def new_client() -> str | Response:
    authz.require_role(account(), Area.CLIENTS)
    form = ClientForm()
    if form.validate_on_submit():
        try:
            with writing() as s:
                added = records.add_client(s, form.name.data or "", form.unit.data or None)
                audit(s, "client_add", added.name)
                name = added.name
            flash(_("Client %(name)s saved.", name=name))
            return redirect(url_for("catalogue.clients"))
        except KirkpatrickError as exc:
            form.name.errors = [errors.message(exc)]
    return render_template(
        "web/record_form.html",
        form=form,
        title=_("New client"),
        back_url=url_for("catalogue.clients"),
        back_text=_("Clients"),
    )


@bp.route("/clients/<int:client>/edit", methods=["GET", "POST"])
def edit_client(client: int) -> str | Response:
    with reading() as s:
        authz.require_client(s, account(), client)
        try:
            stored = catalogue.client_dict(catalogue.get_client(s, client))
        except NotFound:
            abort(404)
    form = ClientForm()
    if not form.is_submitted():
        form.name.data, form.unit.data = stored["name"], stored["unit"]
    if form.validate_on_submit():
        try:
            with writing() as s:
                changed = catalogue.edit_client(s, client, form.name.data or "", form.unit.data)
                audit(s, "client_edit", changed.name, None if changed.name == stored["name"] else stored["name"])
            flash(_("Client %(name)s saved.", name=form.name.data))
            return redirect(url_for("catalogue.clients"))
        except KirkpatrickError as exc:
            form.name.errors = [errors.message(exc)]
    return render_template(
        "web/record_form.html",
        form=form,
        title=_("Edit client %(name)s", name=stored["name"]),
        back_url=url_for("catalogue.clients"),
        back_text=_("Clients"),
    )
