"""kirkpatrick: track whether leadership development works, on Kirkpatrick's four levels."""

from __future__ import annotations

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    # ``__version__`` is looked up on first use: importlib.metadata costs start-up time that
    # every command (``kirkpatrick --help`` too) would pay otherwise.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("kirkpatrick")
    except PackageNotFoundError:  # running from a source checkout that is not installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
