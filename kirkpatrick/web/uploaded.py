"""An uploaded file kept between the upload, its preview and the confirmation: saved under a
random name in the application's upload folder and remembered in the signed session cookie
(under a key of the page's own), never under a name the browser chose."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import current_app, session
from flask_wtf.file import FileField

from kirkpatrick.web.common import _

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def keep(field: FileField, key: str, **details: Any) -> bool:
    """Save the file of ``field`` and remember it, with ``details``, under ``key`` (a file kept
    before under that key is deleted). False, with the field's error set, for a type we do not read."""
    name = Path(field.data.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        field.errors = [_("Use a .csv, .tsv or .xlsx file.")]
        return False
    discard(key)
    stored = f"{secrets.token_hex(16)}{suffix}"
    field.data.save(folder() / stored)
    session[key] = {"file": stored, "name": name[:200], **details}
    return True


def pending(key: str, **details: Any) -> tuple[Path, dict[str, Any]] | None:
    """The file kept under ``key`` and what was remembered with it, if it is there and was kept
    with these ``details`` (the same intervention, the same kind of table)."""
    item = session.get(key)
    if not isinstance(item, dict) or any(item.get(k) != v for k, v in details.items()):
        return None
    path = folder() / Path(str(item.get("file", ""))).name
    return (path, item) if path.is_file() else None


def discard(key: str) -> None:
    """Forget the file kept under ``key`` and delete it."""
    item = session.pop(key, None)
    if isinstance(item, dict):
        (folder() / Path(str(item.get("file", "x"))).name).unlink(missing_ok=True)


__all__ = ["SUFFIXES", "discard", "folder", "keep", "pending"]
