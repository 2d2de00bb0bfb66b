"""An uploaded file kept between the upload, its preview and the confirmation: saved under a
random name in the application's upload folder and remembered in the signed session cookie
(under a key of the page's own), never under a name the browser chose."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from flask import current_app, session
from flask_wtf.file import FileField

from kirkpatrick.web.common import _

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
# An upload not confirmed or cancelled within this many seconds is abandoned: expired and swept.
MAX_AGE = 6 * 3600


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
    if not path.is_file() or _age(path) > _max_age():
        return None
    return path, item


def discard(key: str) -> None:
    """Forget the file kept under ``key`` and delete it."""
    item = session.pop(key, None)
    if isinstance(item, dict):
        (folder() / Path(str(item.get("file", "x"))).name).unlink(missing_ok=True)


def sweep(where: Path | None = None, max_age: float | None = None) -> int:
    """Delete the uploads older than ``max_age`` seconds (abandoned: never confirmed nor cancelled);
    called when the application starts and on each upload. Returns how many went."""
    where = folder() if where is None else where
    limit = _max_age() if max_age is None else max_age
    gone = 0
    for path in where.glob("*") if where.is_dir() else ():
        if path.is_file() and _age(path) > limit:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _max_age() -> float:
    return float(current_app.config.get("UPLOAD_MAX_AGE", MAX_AGE))


__all__ = ["MAX_AGE", "SUFFIXES", "discard", "folder", "keep", "pending", "sweep"]
