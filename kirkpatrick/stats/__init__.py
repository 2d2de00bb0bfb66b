"""Statistics for evaluating leadership-development interventions.

Depends only on NumPy and SciPy. Every function returns a frozen dataclass
with a ``reason`` field (set, with NaN figures, when something is not
estimable) and ``to_dict()`` for JSON output. Sign convention: post minus pre.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# The result records and the helpers below need no NumPy: a result read back from the analysis
# cache is rebuilt from them alone. The functions that compute load with their modules (and
# NumPy) on first use.
from ._result import Effect, Result, magnitude, to_jsonable
from .results import NPSResult, PairedResult, PrePostControlResult, ReliableChangeResult, SMCRResult

if TYPE_CHECKING:
    from ._ci import normal_interval
    from .controlled import pre_post_control
    from .independent import IndependentResult, independent
    from .meta import MetaResult, SubgroupResult, composite, fixed_effect, random_effects, subgroups
    from .meta_regression import MetaRegressionResult, meta_regression
    from .paired import EffectBatch, PairedBatch, paired, paired_many
    from .reliability import AlphaResult, cronbach_alpha, reliable_change
    from .smcr import standardized_mean_change, standardized_mean_change_many
    from .survey import MeanResult, mean_ci, nps

_LAZY = {
    "normal_interval": "._ci",
    "pre_post_control": ".controlled",
    "IndependentResult": ".independent",
    "independent": ".independent",
    "MetaResult": ".meta",
    "SubgroupResult": ".meta",
    "composite": ".meta",
    "fixed_effect": ".meta",
    "random_effects": ".meta",
    "subgroups": ".meta",
    "MetaRegressionResult": ".meta_regression",
    "meta_regression": ".meta_regression",
    "EffectBatch": ".paired",
    "PairedBatch": ".paired",
    "paired": ".paired",
    "paired_many": ".paired",
    "AlphaResult": ".reliability",
    "cronbach_alpha": ".reliability",
    "reliable_change": ".reliability",
    "standardized_mean_change": ".smcr",
    "standardized_mean_change_many": ".smcr",
    "MeanResult": ".survey",
    "mean_ci": ".survey",
    "nps": ".survey",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


class _Package(types.ModuleType):
    """This package, whose functions ``paired``, ``independent`` and ``meta_regression`` share
    their module's name: importing the module (however it is first imported) sets the package's
    attribute of that name, which must stay the function, as an eager ``from .paired import
    paired`` would leave it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == f".{name}":
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


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
