"""Defaults that are policy rather than statistics, kept light so the CLI can show them without
loading the analysis."""

from __future__ import annotations

# No figure is shown for a group of fewer respondents than this (reports, portfolio).
DEFAULT_MIN_GROUP = 5
