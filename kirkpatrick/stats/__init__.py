"""Statistics for evaluating leadership-development interventions.

Depends only on NumPy and SciPy. Every function returns a frozen dataclass
with a ``reason`` field (set, with NaN figures, when something is not
estimable) and ``to_dict()`` for JSON output. Sign convention: post minus pre.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The result records and the helpers below need no NumPy: a result read back from the analysis
# cache is rebuilt from them alone. The functions that compute load with their modules (and
# NumPy) on first use.
from .results import (
    Effect,
    NPSResult,
    PairedResult,
    PrePostControlResult,
    ReliableChangeResult,
    Result,
    SMCRResult,
    magnitude,
    to_jsonable,
)

if TYPE_CHECKING:
    from ._ci import normal_interval
    from ._descriptive import MeanResult, mean_ci, nps
    from ._independent import IndependentResult, independent
    from ._meta_regression import MetaRegressionResult, meta_regression
    from ._paired import EffectBatch, PairedBatch, paired, paired_many
    from .controlled import pre_post_control
    from .meta import MetaResult, SubgroupResult, composite, fixed_effect, random_effects, subgroups
    from .reliability import AlphaResult, cronbach_alpha, reliable_change
    from .smcr import standardized_mean_change, standardized_mean_change_many

_LAZY = {
    "normal_interval": "._ci",
    "pre_post_control": ".controlled",
    "IndependentResult": "._independent",
    "independent": "._independent",
    "MetaResult": ".meta",
    "SubgroupResult": ".meta",
    "composite": ".meta",
    "fixed_effect": ".meta",
    "random_effects": ".meta",
    "subgroups": ".meta",
    "MetaRegressionResult": "._meta_regression",
    "meta_regression": "._meta_regression",
    "EffectBatch": "._paired",
    "PairedBatch": "._paired",
    "paired": "._paired",
    "paired_many": "._paired",
    "AlphaResult": ".reliability",
    "cronbach_alpha": ".reliability",
    "reliable_change": ".reliability",
    "standardized_mean_change": ".smcr",
    "standardized_mean_change_many": ".smcr",
    "MeanResult": "._descriptive",
    "mean_ci": "._descriptive",
    "nps": "._descriptive",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


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
