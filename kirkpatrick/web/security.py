"""Security headers, error pages that never show a trace, and the secret key."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, Response, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.reports.environment import N_

SECRET_ENV = "KIRKPATRICK_SECRET_KEY"
SECRET_FILE_ENV = "KIRKPATRICK_SECRET_KEY_FILE"
log = logging.getLogger("kirkpatrick.web")

# Application pages: no script at all, styles from our own stylesheet only.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# The import page runs one script of ours (static/upload.js: upload progress) that sends the form
# back to this site; still nothing inline and nothing from elsewhere.
UPLOAD_PAGE_CSP = PAGE_CSP.replace("default-src 'none';", "default-src 'none'; script-src 'self'; connect-src 'self';")
# Reports are self-contained documents with an inline <style> and inline SVG, identical to the
# downloadable file. They get inline styles and nothing else, in a sandbox (an origin of their
# own, no script, no forms), and may be framed only by our own pages.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; sandbox; frame-ancestors 'self'"
)
SHARED_REPORT_CSP = REPORT_CSP.replace("frame-ancestors 'self'", "frame-ancestors 'none'")


def secret_key() -> str | None:
    """The secret key from ``$KIRKPATRICK_SECRET_KEY`` or the file named by ``$KIRKPATRICK_SECRET_KEY_FILE``."""
    value = os.environ.get(SECRET_ENV)
    if value:
        return value
    path = os.environ.get(SECRET_FILE_ENV)
    if path:
        text = Path(path).read_text(encoding="utf-8").strip()
        return text or None
    return None


def set_headers(response: Response) -> Response:
    csp = g.get("csp", PAGE_CSP)
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Pages send a referrer to this site only: Flask-WTF checks it on forms sent over HTTPS.
    # Reports (possibly opened by a share link) send none anywhere.
    response.headers["Referrer-Policy"] = "same-origin" if csp in (PAGE_CSP, UPLOAD_PAGE_CSP) else "no-referrer"
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if "frame-ancestors 'self'" in csp else "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def install(app: Flask) -> None:
    app.after_request(set_headers)

    def page(status: int, title: str, message: str) -> tuple[str, int]:
        from kirkpatrick.web.common import _

        return render_template("web/error.html", title=_(title), message=_(message), status=status), status

    @app.errorhandler(CSRFError)
    def csrf_refused(_exc: CSRFError) -> tuple[str, int]:
        return page(
            400,
            N_("Form expired"),
            N_("The form was too old or not sent from this site. Go back, reload and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int] | BaseResponse:
        if exc.code == 401:
            from flask import redirect, url_for

            return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
        messages = {
            403: (N_("Not allowed"), N_("Your role does not allow this.")),
            404: (N_("Not found"), N_("There is no such page, or it is not yours to see.")),
            405: (N_("Not allowed"), N_("That cannot be done here.")),
            413: (N_("File too large"), N_("The file is larger than this server accepts.")),
        }
        title, message = messages.get(exc.code or 500, (N_("Request refused"), N_("The request could not be handled.")))
        return page(exc.code or 400, title, message)

    @app.errorhandler(KirkpatrickError)
    def user_error(exc: KirkpatrickError) -> tuple[str, int]:
        # Views turn user mistakes into form errors; one that slips through still shows no trace.
        log.info("user error: %s", exc)
        return page(400, N_("Request refused"), N_("The request could not be handled."))

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> tuple[str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return page(500, N_("Something went wrong"), N_("The error has been logged. Nothing was changed."))
