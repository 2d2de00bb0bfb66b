"""SKR's Hållbart medarbetarengagemang (HME) index from its nine 1-5 items.

The model and its nine statements are SKR's and RKA's (Sveriges Kommuner och Regioner, "Hållbart
medarbetarengagemang (HME) - modell, enkät och jämförelser", skr.se; "Hållbart
medarbetarengagemang i kommuner och regioner. HME, modell och användaranvisningar", PDF): three
statements each for motivation, leadership and governance, answered on a five-point agreement
scale; HME is a total index computed from the three sub-indices, reported 0-100 in Kolada
(U00200 total, U00201 motivation, U00202 leadership, U00203 governance).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .results import Result

__all__ = ["HME_ITEMS", "HME_SUBINDICES", "HmeResult", "hme_index", "item_to_index"]

# Item codes in SKR's order; the statements (Swedish, as SKR publishes them) live in the question
# bank. The codes are ours: SKR numbers the items 1-3 within each area.
HME_ITEMS: tuple[str, ...] = (
    "hme_motivation_1",  # Mitt arbete känns meningsfullt.
    "hme_motivation_2",  # Jag lär nytt och utvecklas i mitt dagliga arbete.
    "hme_motivation_3",  # Jag ser fram emot att gå till arbetet.
    "hme_leadership_1",  # Min närmaste chef visar uppskattning för mina arbetsinsatser.
    "hme_leadership_2",  # Min närmaste chef visar förtroende för mig som medarbetare.
    "hme_leadership_3",  # Min närmaste chef ger mig förutsättningar att ta ansvar i mitt arbete.
    "hme_governance_1",  # Jag är insatt i min arbetsplats mål.
    "hme_governance_2",  # Min arbetsplats mål följs upp och utvärderas på ett bra sätt.
    "hme_governance_3",  # Jag vet vad som förväntas av mig i mitt arbete.
)

HME_SUBINDICES: Mapping[str, tuple[str, ...]] = {
    "motivation": HME_ITEMS[0:3],
    "leadership": HME_ITEMS[3:6],
    "governance": HME_ITEMS[6:9],
}


def item_to_index(x: ArrayLike) -> np.ndarray:
    """Map answers on the 1-5 scale to 0-100: (x - 1) x 25 (1 -> 0, 3 -> 50, 5 -> 100).

    Values outside 1-5 raise ValueError; NaN stays NaN (no answer).
    """
    a = np.asarray(x, dtype=float)
    bad = np.isfinite(a) & ((a < 1) | (a > 5))
    if bad.any():
        raise ValueError(f"HME answers must be 1-5, but got {a[bad][0]:g}")
    return (a - 1.0) * 25.0


@dataclasses.dataclass(frozen=True)
class HmeResult(Result):
    """Result of :func:`hme_index`.

    Attributes
    ----------
    n_respondents : int
        Respondents with at least one answer.
    n_complete : int
        Respondents who answered all nine statements.
    items : dict of str to float
        Each statement's index 0-100: the mean of its answers mapped by :func:`item_to_index`.
    item_n : dict of str to int
        Answers to each statement.
    motivation, leadership, governance : float
        Sub-indices: the mean of their three statements' indices.
    total : float
        HME: the mean of the three sub-indices (equal to the mean of the nine item indices).
    reason : str or None
        Why an index is NaN (a statement without answers), else None.
    """

    n_respondents: int
    n_complete: int
    items: dict[str, float]
    item_n: dict[str, int]
    motivation: float
    leadership: float
    governance: float
    total: float
    reason: str | None


def hme_index(answers: ArrayLike | Mapping[str, Sequence[float]]) -> HmeResult:
    """HME total index and sub-indices from the nine statements' 1-5 answers.

    Parameters
    ----------
    answers : array_like of shape (n, 9), or mapping of item code to answers
        One row per respondent, columns in the order of :data:`HME_ITEMS` (NaN = no answer), or
        a mapping from each code in :data:`HME_ITEMS` to its answers (equal lengths).

    Returns
    -------
    HmeResult

    Notes
    -----
    Each answer becomes (x - 1) x 25, so 1 "stämmer mycket dåligt" gives 0 and 5 "stämmer
    mycket bra" gives 100; each statement's index is the mean over those who answered it; a
    sub-index is the mean of its three statements' indices and the total the mean of the three
    sub-indices. This follows the issue's and the research note's reading of SKR's model (items
    mapped to 0-100, sub-indices and the total as means). SKR's calculation template (the
    "modell och användaranvisningar" PDF) could not be read from here, so the linear 0/25/50/75/100
    mapping and the handling of partial answers (item means over those who answered, rather than
    only complete respondents) are NOT verified against SKR's own text; with complete answers
    the two readings agree.

    References
    ----------
    Sveriges Kommuner och Regioner (SKR) & RKA. Hållbart medarbetarengagemang (HME): modell,
    enkät och jämförelser. skr.se, Arbetsgivarrollen, Analys, statistik och uppföljning.
    """
    if isinstance(answers, Mapping):
        missing = [c for c in HME_ITEMS if c not in answers]
        if missing:
            raise ValueError(f"HME answers are missing statement {missing[0]!r}")
        cols = [np.asarray(answers[c], dtype=float) for c in HME_ITEMS]
        if len({c.shape for c in cols}) != 1:
            raise ValueError("HME answers must have the same number of respondents for every statement")
        mat = np.column_stack(cols) if cols[0].size else np.empty((0, 9))
    else:
        mat = np.asarray(answers, dtype=float)
        if mat.ndim == 1 and mat.size == 9:
            mat = mat.reshape(1, 9)
        if mat.ndim != 2 or mat.shape[1] != 9:
            raise ValueError(f"HME answers need nine columns, one per statement, but got shape {mat.shape}")
    idx = item_to_index(mat)
    answered = np.isfinite(idx)
    n_resp = int(answered.any(axis=1).sum())
    n_complete = int(answered.all(axis=1).sum())
    items: dict[str, float] = {}
    item_n: dict[str, int] = {}
    for j, code in enumerate(HME_ITEMS):
        k = int(answered[:, j].sum())
        item_n[code] = k
        items[code] = float(idx[answered[:, j], j].mean()) if k else math.nan
    subs = {name: float(np.mean([items[c] for c in codes])) for name, codes in HME_SUBINDICES.items()}
    total = float(np.mean(list(subs.values())))
    empty = [c for c in HME_ITEMS if item_n[c] == 0]
    reason = f"no answers to {', '.join(empty)}" if empty else None
    return HmeResult(
        n_resp, n_complete, items, item_n, subs["motivation"], subs["leadership"], subs["governance"], total, reason
    )
