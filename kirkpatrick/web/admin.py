"""User and organisation administration (admins only)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session as OrmSession
from werkzeug.wrappers import Response

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.services import accounts, records
from kirkpatrick.storage.accounts import OrgKind
from kirkpatrick.web import authz, errors, forms
from kirkpatrick.web.authz import Area
from kirkpatrick.web.common import _, account, audit, reading, writing

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
def users() -> str | Response:
    authz.require_role(account(), Area.ADMIN)
    form = forms.UserForm()
    if form.validate_on_submit():
        try:
            with writing() as s:
                added = accounts.create_user(
                    s, form.email.data or "", form.password.data or "", form.role.data or "", form.organisation.data
                )
                audit(s, "user_add", added.email, f"{added.role.value}, {added.organisation or '-'}")
            flash(_("User %(email)s created.", email=added.email))
            return redirect(url_for("admin.users"))
        except KirkpatrickError as exc:
            form.email.errors = [errors.message(exc)]
    with reading() as s:
        rows = accounts.list_users(s)
    return render_template("web/users.html", form=form, rows=rows, plain=forms.PlainForm())


@bp.route("/users/<int:user>/<any(activate,deactivate):what>", methods=["POST"])
def activate(user: int, what: str) -> Response:
    authz.require_role(account(), Area.ADMIN)
    if forms.PlainForm().validate_on_submit():
        try:
            with writing() as s:
                email = accounts.set_active(s, user, what == "activate")
                audit(s, f"user_{what}", email)
        except KirkpatrickError:
            from flask import abort

            abort(404)
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user>/edit", methods=["GET", "POST"])
def edit_user(user: int) -> str | Response:
    authz.require_role(account(), Area.ADMIN)
    from kirkpatrick.web.record_forms import EditUserForm

    with reading() as s:
        try:
            stored = accounts.get_user(s, user)
        except KirkpatrickError:
            abort(404)
    form = EditUserForm()
    if not form.is_submitted():
        form.email.data, form.role.data, form.organisation.data = stored.email, stored.role.value, stored.organisation
    if form.validate_on_submit():
        try:
            with writing() as s:
                changed, what = accounts.edit_user(
                    s, user, form.email.data or "", form.role.data or "", form.organisation.data, form.password.data
                )
                detail = f"{', '.join(what) or 'nothing'}: {changed.role.value}, {changed.organisation or '-'}"
                audit(s, "user_edit", changed.email, detail)  # the password itself is never logged
            flash(_("User %(email)s saved.", email=changed.email))
            return redirect(url_for("admin.users"))
        except KirkpatrickError as exc:
            text = str(exc)
            about = next((n for n in ("password", "organisation", "role") if n in text), "email")
            form[about].errors = [errors.message(exc)]
    return render_template(
        "web/record_form.html",
        form=form,
        title=_("Edit user %(email)s", email=stored.email),
        back_url=url_for("admin.users"),
        back_text=_("Users"),
    )


@bp.route("/organisations", methods=["GET", "POST"])
def organisations() -> str | Response:
    authz.require_role(account(), Area.ADMIN)
    org_form = forms.OrganisationForm(prefix="org")
    client_form = forms.LinkClientForm(prefix="client")
    run_form = forms.LinkInterventionForm(prefix="run")

    def add_org(s: OrmSession) -> None:
        accounts.organisation_for(s, org_form.name.data or "", OrgKind(org_form.kind.data))

    def own_client(s: OrmSession) -> None:
        accounts.link_client(s, client_form.organisation.data or "", client_form.client.data or "")

    def run(s: OrmSession) -> None:
        accounts.link_intervention(s, run_form.organisation.data or "", run_form.code.data or "")

    forms_and_actions: list[tuple[FlaskForm, Callable[[OrmSession], None]]] = [
        (org_form, add_org),
        (client_form, own_client),
        (run_form, run),
    ]
    for form, save in forms_and_actions:
        # Three forms on one page: the one sent is the one whose prefixed CSRF field came with it.
        prefix = str(getattr(form, "_prefix", ""))
        if f"{prefix}csrf_token" in request.form and form.validate_on_submit():
            try:
                with writing() as s:
                    save(s)
                    audit(s, "organisation_change", None, prefix.rstrip("-"))
                flash(_("Saved."))
                return redirect(url_for("admin.organisations"))
            except KirkpatrickError as exc:
                next(iter(form)).errors = [errors.message(exc)]
    with reading() as s:
        rows = accounts.list_organisations(s)
        clients = records.list_clients(s)
    return render_template(
        "web/organisations.html", rows=rows, clients=clients, org_form=org_form, client_form=client_form,
        run_form=run_form,
    )  # fmt: skip
