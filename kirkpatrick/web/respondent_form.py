"""The respondent's form: one personal link, no sign-in, no JavaScript, no external resources.

``register(app)`` adds the blueprint and the log filter that keeps tokens out of the access log.
The app must set ``app.config["KIRKPATRICK_ENGINE"]`` (an SQLAlchemy engine) and enable
Flask-WTF's ``CSRFProtect``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, redirect, request, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Engine
from werkzeug.wrappers import Response as WerkzeugResponse

from kirkpatrick.collect import respond
from kirkpatrick.reports.environment import environment

blueprint = Blueprint("survey", __name__)
LANGS = ("sv", "en")
RATE_LIMIT = 30  # requests per client address per window
RATE_WINDOW = 60.0
_TOKEN_IN_PATH = re.compile(r"/s/[A-Za-z0-9_-]+")


class _RateLimiter:
    """A sliding window per client address (in this process): enough to stop link guessing."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            hits = self.hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self.hits) > 100_000:
                self.hits.clear()
            return True


class RedactTokens(logging.Filter):
    """Replace survey tokens in log lines (werkzeug's access log prints the request path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(_TOKEN_IN_PATH.sub("/s/[token]", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _TOKEN_IN_PATH.sub("/s/[token]", record.msg)
        return True


def register(app: Flask) -> None:
    app.register_blueprint(blueprint)
    app.extensions["kirkpatrick_survey_limiter"] = _RateLimiter(
        app.config.get("SURVEY_RATE_LIMIT", RATE_LIMIT), RATE_WINDOW
    )
    logging.getLogger("werkzeug").addFilter(RedactTokens())


def _engine() -> Engine:
    engine: Engine = current_app.config["KIRKPATRICK_ENGINE"]
    return engine


def _lang(default: str | None) -> str | None:
    chosen = request.values.get("lang")
    return chosen if chosen in LANGS else default


def _render(name: str, lang: str, status: int = 200, **context: Any) -> Response:
    html = environment(lang).get_template(f"survey/{name}").render(lang=lang, **context)
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.before_request
def _limit() -> Response | None:
    limiter: _RateLimiter = current_app.extensions["kirkpatrick_survey_limiter"]
    if not limiter.allow(request.remote_addr or "-"):
        response = _render("message.html", _lang("sv") or "sv", 429, kind="busy")
        response.headers["Retry-After"] = str(int(RATE_WINDOW))
        return response
    return None


@blueprint.after_request
def _headers(response: Response) -> Response:
    # The token is in the path: never send it on as a referrer, never let a page be framed or cached.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    return response


def _page(view: respond.FormView, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    if view.state != "open":
        kind = {"unknown": "unknown", "closed": "closed", "not_yet": "not_yet"}[view.state]
        return _render("message.html", view.lang, 404 if kind == "unknown" else 200, kind=kind, view=view)
    return _render(
        "form.html", view.lang, status, view=view, errors=errors or {}, csrf_token=generate_csrf(), action=request.path
    )


@blueprint.get("/s/<token>")
def form(token: str) -> Response:
    view = respond.open_form(_engine(), token, lang=_lang(None))
    return _page(view)


@blueprint.post("/s/<token>")
def submit(token: str) -> Response | WerkzeugResponse:
    action = request.form.get("action", "submit")
    if action not in ("submit", "save"):
        abort(400)
    answers = {k: v for k, v in request.form.items() if k not in ("csrf_token", "action", "lang")}
    result = respond.save_answers(_engine(), token, answers, submit=action == "submit", lang=_lang(None))
    if result.errors:
        return _page(result.view, result.errors, 422)
    if not result.saved:
        return _page(result.view)
    kind = "thanks" if result.submitted else "saved"
    return redirect(url_for("survey.done", token=token, kind=kind, lang=result.view.lang), code=303)


@blueprint.get("/s/<token>/<kind>")
def done(token: str, kind: str) -> Response:
    if kind not in ("thanks", "saved"):
        abort(404)
    view = respond.link_status(_engine(), token, lang=_lang(None))
    if view.state == "unknown":
        return _page(view)
    return _render(
        "message.html", view.lang, kind=kind, view=view, back=url_for("survey.form", token=token, lang=view.lang)
    )
