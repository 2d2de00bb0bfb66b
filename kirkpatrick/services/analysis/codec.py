"""Analysis results to JSON text and back, exactly, for the analysis cache.

Floats travel as Python's shortest round-trip representation (NaN and infinity included), long
lists of floats and NumPy arrays as their IEEE bytes (base64), so a decoded result equals the
computed one bit for bit. Only the classes registered here can be rebuilt (no pickle: the
payload comes from the database, and a database row must not be able to run code).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import sys
from array import array
from typing import Any

from kirkpatrick.domain import literature, vocab
from kirkpatrick.services.analysis import records
from kirkpatrick.stats import results

_LONG = 32  # a list of more floats than this travels as bytes


def _classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for module, names in (
        (records, dir(records)),
        (results, results.__all__),
        (literature, dir(literature)),
        (vocab, dir(vocab)),
    ):
        for name in names:
            cls = getattr(module, name)
            if isinstance(cls, type) and (dataclasses.is_dataclass(cls) or issubclass(cls, enum.Enum)):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


_CLASSES = _classes()


def _name(cls: type) -> str:
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name not in _CLASSES:
        raise TypeError(f"{name} is not registered for the analysis cache")
    return name


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):  # first: a StrEnum is also a str
        return {"$e": _name(type(value)), "v": value.value}
    if value is None or isinstance(value, (bool, str, int, float)):
        return float(value) if isinstance(value, float) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "$d": _name(type(value)),
            "f": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    np = sys.modules.get("numpy")  # not imported here: if it is not loaded, no value is one of its types
    if np is not None and isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return {"$a": data.dtype.str, "s": list(data.shape), "b": base64.b64encode(data.tobytes()).decode()}
    if np is not None and isinstance(value, np.generic):
        return _encode(value.item())
    if isinstance(value, list):
        if len(value) > _LONG and all(type(v) is float for v in value):
            # IEEE doubles in the machine's byte order, as NumPy's float64 bytes.
            return {"$f": base64.b64encode(array("d", value).tobytes()).decode()}
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {"$m": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$d" in value:
        return _CLASSES[value["$d"]](**{k: _decode(v) for k, v in value["f"].items()})
    if "$e" in value:
        return _CLASSES[value["$e"]](value["v"])
    if "$f" in value:
        floats = array("d")
        floats.frombytes(base64.b64decode(value["$f"]))
        return floats.tolist()
    if "$a" in value:
        import numpy as np  # an array in the payload: NumPy is needed to rebuild it

        raw = base64.b64decode(value["b"])
        return np.frombuffer(raw, dtype=np.dtype(value["$a"])).reshape(value["s"]).copy()
    if "$t" in value:
        return tuple(_decode(v) for v in value["$t"])
    if "$m" in value:
        return {_decode(k): _decode(v) for k, v in value["$m"]}
    raise ValueError("not an analysis cache payload")


def dumps(value: Any) -> str:
    """``value`` (records, stats results, enums, numbers, lists) as JSON text."""
    return json.dumps(_encode(value), separators=(",", ":"), allow_nan=True)


def loads(text: str) -> Any:
    """The value :func:`dumps` wrote; raises ``KeyError``, ``TypeError`` or ``ValueError`` if
    the text does not fit this code's classes (the caller then computes afresh)."""
    return _decode(json.loads(text))
