"""The WSGI application for gunicorn: ``gunicorn -w 4 'kirkpatrick.web.wsgi:app'``.

Production mode: the secret key must come from the environment or a file, cookies are Secure
and the proxy's X-Forwarded-For/-Proto are trusted (one proxy in front).
"""

from __future__ import annotations

from kirkpatrick.web import create_app

app = create_app(production=True)
