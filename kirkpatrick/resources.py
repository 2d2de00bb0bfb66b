"""Where the shipped folders are: ``templates/`` and ``sample_data/``.

In the repository they are top-level folders; ``setup.cfg`` installs them as
``kirkpatrick/templates`` and ``kirkpatrick/sample_data``. Both layouts are found here, so the
code runs the same from a checkout and from an installed wheel.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _folder(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kirkpatrick is installed without its {name}/ folder")


def templates_dir() -> Path:
    return _folder("templates")


def sample_data_dir() -> Path:
    return _folder("sample_data")
