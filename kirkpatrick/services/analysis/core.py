"""The public entry points: one intervention's analysis, and the headlines of many.

Both serve a result computed earlier when the intervention's data version (see
:mod:`kirkpatrick.storage.analysis_cache`) and the parameters are unchanged, and otherwise
compute from the raw rows and store the result for the next reader. The key also holds a
fingerprint of the measure catalogue and of the code that computes (the statistics and this
package), so an upgrade or a catalogue change never serves a result computed before it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from kirkpatrick.domain import policy
from kirkpatrick.domain.errors import NotFound
from kirkpatrick.domain.vocab import Group, HeadlineKind, Level, Wave
from kirkpatrick.services.analysis import codec, reading
from kirkpatrick.services.analysis.records import (
    WAVES,
    InterventionAnalysis,
    LevelEffect,
    LevelResult,
    MeasureInfo,
    WaveCount,
)
from kirkpatrick.storage import analysis_cache

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from kirkpatrick.services.analysis.loading import Cell

# An analysis reads from an ORM session (through its connection) or a Core connection. A result
# served from the cache needs neither the ORM nor the array loading, so they are imported only
# where a result is computed.

DEFAULT_MIN_GROUP = policy.DEFAULT_MIN_GROUP
# Raise when the cached payload's layout changes (the code fingerprint catches the rest).
CACHE_FORMAT = 1


@cache
def _code_fingerprint() -> str:
    """A hash of the source that computes the figures: a changed formula is a changed key."""
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    roots = [Path(__file__).parent, Path(__file__).parents[2] / "stats"]
    for root in roots:
        for path in sorted(root.glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for module in ("literature.py", "vocab.py", "policy.py"):
        digest.update((Path(policy.__file__).parent / module).read_bytes())
    return digest.hexdigest()[:16]


def _key(kind: str, measures: dict[int, MeasureInfo], min_group: int, confidence: float) -> str:
    catalogue_hash = hashlib.sha256(repr(sorted(measures.items())).encode()).hexdigest()[:16]
    return f"{kind};min_group={min_group};confidence={confidence!r};code={_code_fingerprint()};cat={catalogue_hash}"


def _connection(reader: OrmSession | Connection) -> Connection:
    if isinstance(reader, Connection):
        return reader
    reader.flush()  # as an ORM query would: the session's pending changes are part of the data
    return reader.connection()


def _load(connection: Connection, key: str, current: dict[int, int]) -> dict[int, Any]:
    found = {}
    for iv, payload in analysis_cache.load(connection, key, current).items():
        try:
            found[iv] = codec.loads(payload)
        except (KeyError, TypeError, ValueError):
            continue  # written by other code: compute afresh
    return found


def analyse(
    reader: OrmSession | Connection,
    code: str,
    *,
    min_group: int = DEFAULT_MIN_GROUP,
    confidence: float = 0.95,
    use_cache: bool = True,
) -> InterventionAnalysis:
    """Analyse intervention ``code``: every level, measure and rater, and each level's headline.

    ``use_cache=False`` computes from the raw rows whatever is stored (and stores nothing).
    Raises :class:`~kirkpatrick.errors.NotFound` for an unknown code and ``ValueError`` for a
    ``min_group`` below 1.
    """
    if min_group < 1:
        raise ValueError(f"min_group must be at least 1, but got {min_group!r}")
    connection = _connection(reader)
    i = reading.intervention(connection, code)
    measures = reading.catalogue(connection)
    key = _key("analysis", measures, min_group, confidence)
    computed = None
    current: dict[int, int] = {}
    if use_cache:
        current = analysis_cache.versions(connection, [i.id])  # before the data
        computed = _load(connection, key, current).get(i.id)
    if computed is None:
        computed = _compute(connection, i.id, measures, min_group, confidence)
        if use_cache:
            analysis_cache.store(connection.engine, key, [(i.id, current[i.id], codec.dumps(computed))])
    levels, waves, n_treatment, n_control, completers = computed
    return InterventionAnalysis(
        facts=reading.facts(connection, i),
        levels=levels,
        waves=waves,
        n_treatment=n_treatment,
        n_control=n_control,
        min_group=min_group,
        confidence=confidence,
        completers=completers,
    )


def _compute(
    connection: Connection, iv: int, measures: dict[int, MeasureInfo], min_group: int, confidence: float
) -> tuple[list[LevelResult], list[WaveCount], int, int, int]:
    import numpy as np

    from kirkpatrick.services.analysis.cells import analyse_data
    from kirkpatrick.services.analysis.loading import measurement_rows, participants, pivot

    data = pivot(measurement_rows(connection, [iv]), participants(connection, [iv]), measures)
    levels = analyse_data(data, min_group=min_group, confidence=confidence)
    seen = np.asarray(np.isfinite(data.values).any(axis=0))  # [participant, wave]
    waves = [
        WaveCount(w, g, int(seen[mask, k].sum()))
        for k, w in enumerate(WAVES)
        for g, mask in ((Group.TREATMENT, ~data.control), (Group.CONTROL, data.control))
    ]
    pre, post = WAVES.index(Wave.PRE), WAVES.index(Wave.POST)
    # Who answered both waves, person by person: attrition is never a difference of head counts.
    completers = int((seen[~data.control, pre] & seen[~data.control, post]).sum())
    return levels, waves, int((~data.control).sum()), int(data.control.sum()), completers


def headline_effects(
    reader: OrmSession | Connection,
    codes: Sequence[str] | None = None,
    *,
    min_group: int = DEFAULT_MIN_GROUP,
    use_cache: bool = True,
) -> list[LevelEffect]:
    """Per intervention and level, the headline ``yi``, ``vi`` and ``n`` (for the portfolio).

    The same numbers as :func:`analyse`'s headlines, for many interventions with a few queries
    whatever their number: interventions whose data did not change since the last call come
    from the cache, the rest are read and computed together. ``codes=None`` means every
    intervention. Levels with no pre/post effect have ``kind`` ``"pomp"`` or ``"none"`` and
    NaN ``yi``/``vi``.
    """
    from sqlalchemy import select

    from kirkpatrick.storage.models import Intervention

    connection = _connection(reader)
    stmt = select(Intervention.id, Intervention.code).order_by(Intervention.code)
    if codes is not None:
        stmt = stmt.where(Intervention.code.in_(list(codes)))
    found = connection.execute(stmt).all()
    if codes is not None:
        missing = sorted(set(codes) - {c for _, c in found})
        if missing:
            raise NotFound(f"no intervention with code {missing[0]!r}")
    measures = reading.catalogue(connection)
    key = _key("headline", measures, min_group, 0.95)
    ids = [i for i, _ in found]
    heads: dict[int, list[list[Any]]] = {}
    current: dict[int, int] = {}
    if use_cache:
        current = analysis_cache.versions(connection, ids)  # before the data
        heads = _load(connection, key, current)
    todo = [i for i in ids if i not in heads]
    if todo:
        # All of them (the first portfolio after a change to many): one scan, no id list.
        fresh = _compute_heads(
            connection, None if len(todo) == len(ids) and codes is None else todo, measures, min_group
        )
        computed = {iv: fresh.get(iv, _NO_DATA) for iv in todo}
        heads.update(computed)
        if use_cache:
            entries = [(iv, current[iv], codec.dumps(h)) for iv, h in computed.items()]
            analysis_cache.store(connection.engine, key, entries)
    out: list[LevelEffect] = []
    for iv, code in found:
        for level, (kind, yi, vi, n, k) in zip(Level, heads[iv]):
            out.append(LevelEffect(code, level, kind, yi, vi, n, k))
    return out


_NO_DATA: list[list[Any]] = [[HeadlineKind.NONE, math.nan, math.nan, 0, 0] for _ in Level]


def _compute_heads(
    connection: Connection, ids: Sequence[int] | None, measures: dict[int, MeasureInfo], min_group: int
) -> dict[int, list[list[Any]]]:
    import numpy as np

    from kirkpatrick.services.analysis.cells import analyse_data
    from kirkpatrick.services.analysis.loading import measurement_rows, participants, pivot

    by_intervention: dict[int, list[Cell]] = {}
    for cell in measurement_rows(connection, ids):
        by_intervention.setdefault(cell.iv, []).append(cell)
    people = participants(connection, ids)
    out = {}
    for iv in sorted(set(by_intervention) | set(people["iv"].tolist())):
        p_lo, p_hi = np.searchsorted(people["iv"], [iv, iv + 1])
        data = pivot(by_intervention.get(iv, []), people[p_lo:p_hi], measures)
        levels = analyse_data(data, min_group=min_group, confidence=0.95, full=False)
        out[iv] = [[lv.headline.kind, lv.headline.yi, lv.headline.vi, lv.headline.n, lv.headline.k] for lv in levels]
    return out
