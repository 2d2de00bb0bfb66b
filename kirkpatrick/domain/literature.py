"""Published effects that an intervention's results are compared with, shipped as data.

Every value carries its source. Only what the source states is shipped as a number; where a
design factor is supported by other research, the text says so and gives no invented figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kirkpatrick.domain.vocab import Comparison, Level, TransferFactor

LACERENZA_2017 = (
    "Lacerenza, C. N., Reyes, D. L., Marlow, S. L., Joseph, D. L., & Salas, E. (2017). "
    "Leadership training design, delivery, and implementation: A meta-analysis. "
    "Journal of Applied Psychology, 102(12), 1686-1718. https://doi.org/10.1037/apl0000241"
)
BLUME_2010 = (
    "Blume, B. D., Ford, J. K., Baldwin, T. T., & Huang, J. L. (2010). Transfer of training: "
    "A meta-analytic review. Journal of Management, 36(4), 1065-1105. https://doi.org/10.1177/0149206308321462"
)
EDMONDSON_1999 = (
    "Edmondson, A. (1999). Psychological safety and learning behavior in work teams. "
    "Administrative Science Quarterly, 44(2), 350-383. https://doi.org/10.2307/2666999"
)


@dataclass(frozen=True)
class Benchmark:
    """A meta-analytic effect for one Kirkpatrick level.

    ``estimate`` is on the standardized-mean-difference scale (Lacerenza et al. report it as
    delta, their corrected population estimate), so it is comparable in kind, not in every
    detail, with the standardized mean change this tool computes.
    """

    level: Level
    estimate: float
    samples: str
    source: str
    where: str

    def compare(self, low: float, high: float) -> Comparison:
        """Where the interval ``[low, high]`` lies against this benchmark (the one place this is decided)."""
        if not (math.isfinite(low) and math.isfinite(high)):
            return Comparison.NONE
        if low > self.estimate:
            return Comparison.ABOVE
        if high < self.estimate:
            return Comparison.BELOW
        return Comparison.CONSISTENT


# Lacerenza et al. (2017), abstract (and their Table 1): 335 independent samples of leadership
# training, employee data only. Level 3 is called "transfer" there; we call it behaviour.
LEADERSHIP_TRAINING: dict[Level, Benchmark] = {
    Level.REACTION: Benchmark(
        Level.REACTION, 0.63, "335 samples overall", LACERENZA_2017, "abstract: reactions, delta = .63"
    ),
    Level.LEARNING: Benchmark(
        Level.LEARNING, 0.73, "335 samples overall", LACERENZA_2017, "abstract: learning, delta = .73"
    ),
    Level.BEHAVIOUR: Benchmark(
        Level.BEHAVIOUR, 0.82, "335 samples overall", LACERENZA_2017, "abstract: transfer, delta = .82"
    ),
    Level.RESULTS: Benchmark(
        Level.RESULTS, 0.72, "335 samples overall", LACERENZA_2017, "abstract: results, delta = .72"
    ),
}


@dataclass(frozen=True)
class FactorEvidence:
    """What research says a transfer factor does, with the source. ``summary`` is an English
    source string translated through the report catalogue."""

    factor: TransferFactor
    summary: str
    source: str


def N_(text: str) -> str:
    """Mark a string for translation without translating it here (the report translates it)."""
    return text


FACTOR_EVIDENCE: dict[TransferFactor, FactorEvidence] = {
    TransferFactor.NEEDS_ANALYSIS: FactorEvidence(
        TransferFactor.NEEDS_ANALYSIS,
        N_(
            "Programmes built on a needs analysis showed larger effects on transfer and results "
            "(Lacerenza et al. 2017, moderator analysis)."
        ),
        LACERENZA_2017,
    ),
    TransferFactor.SPACED_SESSIONS: FactorEvidence(
        TransferFactor.SPACED_SESSIONS,
        N_(
            "Training spread over several sessions was more effective than massed training "
            "(Lacerenza et al. 2017, moderator analysis)."
        ),
        LACERENZA_2017,
    ),
    TransferFactor.PRACTICE_FEEDBACK: FactorEvidence(
        TransferFactor.PRACTICE_FEEDBACK,
        N_(
            "Feedback, and practice among several delivery methods, were associated with larger effects "
            "(Lacerenza et al. 2017, moderator analysis)."
        ),
        LACERENZA_2017,
    ),
    TransferFactor.ON_THE_JOB_APPLICATION: FactorEvidence(
        TransferFactor.ON_THE_JOB_APPLICATION,
        N_(
            "Training held on-site was more effective (Lacerenza et al. 2017); the chance to apply "
            "new skills at work is among the work-environment predictors of transfer "
            "(Blume et al. 2010)."
        ),
        BLUME_2010,
    ),
    TransferFactor.SUPERVISOR_SUPPORT: FactorEvidence(
        TransferFactor.SUPERVISOR_SUPPORT,
        N_(
            "Support from the participant's own manager is positively related to transfer of "
            "training (Blume et al. 2010); Lacerenza et al. (2017) did not study it as a moderator."
        ),
        BLUME_2010,
    ),
    TransferFactor.PEER_SUPPORT: FactorEvidence(
        TransferFactor.PEER_SUPPORT,
        N_(
            "Support from peers is positively related to transfer of training (Blume et al. 2010); "
            "Lacerenza et al. (2017) did not study it as a moderator."
        ),
        BLUME_2010,
    ),
    TransferFactor.PSYCHOLOGICAL_SAFETY: FactorEvidence(
        TransferFactor.PSYCHOLOGICAL_SAFETY,
        N_(
            "Teams with psychological safety show more learning behaviour (Edmondson 1999); "
            "Lacerenza et al. (2017) did not study it as a moderator."
        ),
        EDMONDSON_1999,
    ),
}

REFERENCES: tuple[str, ...] = (LACERENZA_2017, BLUME_2010, EDMONDSON_1999)
