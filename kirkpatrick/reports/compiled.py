"""Compiled templates and catalogues, kept between runs in this user's cache folder.

A report command is a new process each time: compiling its Jinja2 templates to Python and the
Swedish catalogue from ``.po`` to ``.mo`` costs it as much as rendering the report. Both are
kept in ``$XDG_CACHE_HOME/kirkpatrick`` (else ``~/.cache/kirkpatrick``), under keys that change
with what they were compiled from, so an edited template or catalogue is never served stale:

* templates through Jinja2's own :class:`jinja2.FileSystemBytecodeCache` (each entry checked
  against the template source's checksum and the Python version), in a folder named after the
  environment's settings and the Jinja2 version;
* a catalogue as the ``.mo`` file Babel writes, named after a hash of the ``.po`` file's bytes
  and the Babel version.

The cache is an optimisation only: a folder that cannot be made private to this user, read or
written means compiling as before, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket

__all__ = ["TemplateCache", "cache_dir", "compiled_catalogue", "template_cache"]


@cache
def cache_dir() -> Path | None:
    """This user's cache folder for kirkpatrick, made if need be; ``None`` if it cannot be used
    safely (not ours, not a folder, writable by others) or made."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "kirkpatrick"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None  # compiled code is loaded from here: only a folder no one else can write
    return path


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache of compiled templates, skipped (not failing) when it cannot be used."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache(settings: dict[str, Any]) -> TemplateCache | None:
    """The cache for an environment made with ``settings`` (``None``: no usable cache folder).

    Compiled code depends on the settings (autoescape, whitespace control, extensions), which
    Jinja2's keys do not hold: environments with other settings get another folder."""
    root = cache_dir()
    if root is None:
        return None
    key = hashlib.sha256(repr((sorted(settings.items()), jinja2.__version__)).encode()).hexdigest()[:16]
    folder = root / f"templates-{key}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    return TemplateCache(str(folder))


def compiled_catalogue(po: Path, lang: str, version: str, compile_mo: Callable[[bytes], bytes]) -> bytes:
    """The ``.mo`` bytes of catalogue ``po``: read from the cache, else ``compile_mo`` of the
    ``.po`` bytes (and kept for the next run). ``version`` (the compiler's) is part of the key."""
    data = po.read_bytes()
    root = cache_dir()
    if root is None:
        return compile_mo(data)
    target = root / f"{lang}-{hashlib.sha256(data + version.encode()).hexdigest()[:16]}.mo"
    try:
        return target.read_bytes()
    except OSError:
        pass
    mo = compile_mo(data)
    try:
        # Written whole, then renamed: a concurrent reader sees the old file or the new, never half.
        with tempfile.NamedTemporaryFile(dir=root, prefix=target.name, suffix=".tmp", delete=False) as f:
            f.write(mo)
        os.replace(f.name, target)
    except OSError:
        pass
    return mo
