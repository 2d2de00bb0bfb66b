"""Statistics for evaluating leadership-development interventions.

Depends only on NumPy and SciPy. Every function returns a frozen dataclass
with a ``reason`` field (set, with NaN figures, when something is not
estimable) and ``to_dict()`` for JSON output. Sign convention: post minus pre.
"""

from __future__ import annotations

from ._ci import normal_interval
from ._result import Effect, Result, magnitude, to_jsonable
from .controlled import PrePostControlResult, pre_post_control
from .independent import IndependentResult, independent
from .meta import MetaResult, SubgroupResult, composite, fixed_effect, random_effects, subgroups
from .meta_regression import MetaRegressionResult, meta_regression
from .paired import EffectBatch, PairedBatch, PairedResult, paired, paired_many
from .reliability import AlphaResult, ReliableChangeResult, cronbach_alpha, reliable_change
from .smcr import SMCRResult, standardized_mean_change, standardized_mean_change_many
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
    "to_jsonable",
]
