"""The web application: server-rendered pages over the same services the CLI calls.

``create_app`` builds it; ``kirkpatrick serve`` runs it on the development server and
``gunicorn 'kirkpatrick.web.wsgi:app'`` in production (docs/web.md).
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, g, session
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.domain.vocab import Level, TransferFactor
from kirkpatrick.reports.environment import format_date, format_number, label, translations
from kirkpatrick.resources import templates_dir
from kirkpatrick.storage import db

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def create_app(
    url: str | None = None,
    *,
    secret: str | None = None,
    production: bool = False,
    config: dict[str, Any] | None = None,
) -> Flask:
    """The application on database ``url`` (default: ``$KIRKPATRICK_DB`` or kirkpatrick.db)."""
    from kirkpatrick.web import common, security

    secret = secret or security.secret_key()
    if secret is None:
        if production:
            raise KirkpatrickError(
                f"no secret key: set ${security.SECRET_ENV} or ${security.SECRET_FILE_ENV} (a file outside the "
                "repository) before serving in production"
            )
        secret = secrets.token_hex(32)  # development: sessions end when the server stops
    templates = templates_dir()
    app = Flask(
        __name__,
        template_folder=str(templates),
        static_folder=str(templates / "web" / "static"),
        static_url_path="/static",
    )
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_NAME="kirkpatrick_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        WTF_I18N_ENABLED=False,  # WTForms' messages in the page's language: web/forms.py Form
        UPLOAD_DIR=str(Path(tempfile.gettempdir()) / "kirkpatrick-uploads"),
        PRODUCTION=production,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.config.update(config or {})
    if production:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    engine = db.make_engine(db.resolve_url(url))
    app.extensions["kirkpatrick_engine"] = engine
    app.config["KIRKPATRICK_ENGINE"] = engine  # the respondents' form (web/respondent_form.py) reads it here
    _jinja(app)
    security.install(app)

    @app.before_request
    def load_user() -> None:
        g.lang = session.get("lang", "sv")
        uid, version = session.get("uid"), session.get("sv")
        g.account = None
        if isinstance(uid, int) and isinstance(version, int):
            from kirkpatrick.services.accounts import load_account

            with common.reading() as s:
                g.account = load_account(s, uid, version)
            if g.account is None:
                session.pop("uid", None)

    # After load_user, so that a refused form is answered in the user's language.
    CSRFProtect(app)

    from kirkpatrick.web import (
        admin,
        auth,
        collection,
        contracts,
        edit,
        imports,
        interventions,
        misc,
        respondent_form,
        sharing,
        survey_texts,
    )

    for module in (auth, interventions, edit, imports, sharing, admin, misc, collection, survey_texts, contracts):
        app.register_blueprint(module.bp)
    from kirkpatrick.web import catalogue, contract_forms, people, tables  # forms closing the gap with the CLI

    for module in (catalogue, people, tables, contract_forms):
        app.register_blueprint(module.bp)
    respondent_form.register(app)  # personal survey links: no sign-in, the link is the key
    from kirkpatrick.web import uploaded

    with app.app_context():
        uploaded.sweep()  # uploads abandoned before a restart
    return app


def _jinja(app: Flask) -> None:
    from kirkpatrick.web import authz, common

    env = app.jinja_env
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: translations(common.lang()).gettext(message),
        lambda singular, plural, n: translations(common.lang()).ngettext(singular, plural, n),
        newstyle=True,
    )
    env.filters["num"] = lambda v, digits=2: format_number(v, common.lang(), digits)
    env.filters["date"] = lambda v: format_date(v, common.lang()) if v else "\u2013"
    env.filters["label"] = lambda v: label(v, common.lang())
    env.filters["factor"] = lambda v: label(TransferFactor(v), common.lang())
    env.filters["level"] = lambda v: label(Level(v), common.lang())
    env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M") if v else "\u2013"
    env.globals.update(account=common.account, page_lang=common.lang, may_area=authz.may_area, Area=authz.Area)
    # A message that may carry what the user typed (a form's errors): translated as plain text, so
    # that autoescaping applies (``_`` returns Markup, which would not be escaped).
    env.globals["message"] = lambda text: str(translations(common.lang()).gettext(str(text)))
