"""Statistics for evaluating leadership-development interventions.

Depends only on NumPy and SciPy. Every function returns a frozen dataclass
with a ``reason`` field (set, with NaN figures, when something is not
estimable) and ``to_dict()`` for JSON output. Sign convention: post minus pre.
"""

from __future__ import annotations

from ._ci import normal_interval
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
    composite,
    fixed_effect,
    meta_regression,
    random_effects,
    subgroups,
)
from .reliability import AlphaResult, ReliableChangeResult, cronbach_alpha, reliable_change
from .survey import MeanResult, NPSResult, mean_ci, nps

__all__ = [
    "AlphaResult",
    "Effect",
    "EffectBatch",
    "IndependentResult",
    "MeanResult",
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
    "composite",
    "cronbach_alpha",
    "fixed_effect",
    "independent",
    "magnitude",
    "mean_ci",
    "meta_regression",
    "normal_interval",
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
