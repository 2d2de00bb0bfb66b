"""kirkpatrick: track whether leadership development works, on Kirkpatrick's four levels."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kirkpatrick")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
