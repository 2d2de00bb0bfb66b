"""Statistics for evaluating leadership-development interventions.

Depends only on NumPy and SciPy. Every function returns a frozen dataclass
with a ``reason`` field (set, with NaN figures, when something is not
estimable) and ``to_dict()`` for JSON output. Sign convention: post minus pre.
"""

from __future__ import annotations

from ._result import Effect, Result
from .effsize import (
    EffectBatch,
    IndependentResult,
    PairedBatch,
    PairedResult,
    PrePostControlResult,
    SMCRResult,
    independent,
    magnitude,
    paired,
    paired_many,
    pre_post_control,
    standardized_mean_change,
    standardized_mean_change_many,
)
from .meta import (
    MetaRegressionResult,
    MetaResult,
    SubgroupResult,
    fixed_effect,
    meta_regression,
    random_effects,
    subgroups,
)
from .reliability import AlphaResult, ReliableChangeResult, cronbach_alpha, reliable_change
from .survey import NPSResult, nps

__all__ = [
    "AlphaResult",
    "Effect",
    "EffectBatch",
    "IndependentResult",
    "MetaRegressionResult",
    "MetaResult",
    "NPSResult",
    "PairedBatch",
    "PairedResult",
    "PrePostControlResult",
    "ReliableChangeResult",
    "Result",
    "SMCRResult",
    "SubgroupResult",
    "cronbach_alpha",
    "fixed_effect",
    "independent",
    "magnitude",
    "meta_regression",
    "nps",
    "paired",
    "paired_many",
    "pre_post_control",
    "random_effects",
    "reliable_change",
    "standardized_mean_change",
    "standardized_mean_change_many",
    "subgroups",
]
