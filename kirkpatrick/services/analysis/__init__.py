"""An intervention's measurements as arrays, run through :mod:`kirkpatrick.stats`.

The only module that knows both the schema and the statistics. It loads each intervention's
measurements with one query into a dense array ``values[cell, participant, wave]`` (a cell is a
measure and a rater), then computes, per level, measure and rater:

* pre -> post and pre -> follow-up: the paired result and the standardized mean change (SMCR),
  with the sign flipped for lower-is-better measures so that a positive effect is always an
  improvement; the control-group effect (Morris d_ppc2) where the intervention has a control
  group; reliable change (Jacobson-Truax) where the measure has a reliability;
* measures with no pre wave (level 1 often is post only): mean, SD, CI, percent of maximum
  possible (POMP) and, for 0-10 scales, the Net Promoter Score;
* one headline effect per level (see :func:`composite`), compared with Lacerenza et al. (2017).

Anonymity is decided here, once: a row whose group has fewer than ``min_group`` respondents is
marked ``reportable=False`` and left out of the headline; reports show no figure for it.

The package: :mod:`.records` (the result records), :mod:`.loading` (the measurements as an
array), :mod:`.cells` (statistics per cell and level), :mod:`.codec` (results to JSON text and
back, exactly) and :mod:`.core` (the entry points, with the cache of computed results keyed by the
intervention's data version: see :mod:`kirkpatrick.storage.analysis_cache`).
"""

from __future__ import annotations

from kirkpatrick.services.analysis.core import CACHE_FORMAT, DEFAULT_MIN_GROUP, analyse, headline_effects
from kirkpatrick.services.analysis.records import (
    CONTRASTS,
    HEADLINE_METHOD,
    RATERS,
    WAVES,
    Change,
    Descriptive,
    FactorUse,
    Headline,
    InterventionAnalysis,
    InterventionFacts,
    LevelEffect,
    LevelResult,
    MeasureInfo,
    Quote,
    WaveCount,
)

__all__ = [
    "CACHE_FORMAT",
    "CONTRASTS",
    "DEFAULT_MIN_GROUP",
    "HEADLINE_METHOD",
    "RATERS",
    "WAVES",
    "Change",
    "Descriptive",
    "FactorUse",
    "Headline",
    "InterventionAnalysis",
    "InterventionFacts",
    "LevelEffect",
    "LevelResult",
    "MeasureInfo",
    "Quote",
    "WaveCount",
    "analyse",
    "headline_effects",
]
