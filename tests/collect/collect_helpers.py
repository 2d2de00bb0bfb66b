"""What the data-collection tests share: the tiny Flask app, the sample code, the SMTP catcher."""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine

from kirkpatrick.web import respondent_form

ROOT = Path(__file__).resolve().parents[2]
CODE = "NRB-LG-2024"
TODAY = dt.date(2024, 1, 5)


def make_app(engine: Engine, **config: Any) -> Flask:
    """The smallest application the form needs: secret key, CSRF, the blueprint, security headers."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test-secret-key", KIRKPATRICK_ENGINE=engine, **config)
    CSRFProtect(app)
    respondent_form.register(app)

    @app.after_request
    def headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app


@dataclass
class Mailbox:
    port: int
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
