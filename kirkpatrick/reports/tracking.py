"""Response tracking in the report's data-quality section: invited, opened and answered per wave
and rater group of built-in data collection. The caller passes the counts in
(``collect.tracking.response_tracking``); the report does not query the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kirkpatrick.collect.tracking import ResponseCounts, withheld
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.reports import environment as i18n


@dataclass(frozen=True)
class TrackingLine:
    """One wave and rater group as the report shows it; ``opened``/``answered`` are None when the
    group is an anonymous one (reports, peers) below the anonymity threshold."""

    wave: str
    rater: str
    invited: int
    opened: int | None
    answered: int | None
    rate: str | None


def tracking_lines(rows: Sequence[ResponseCounts], min_group: int, lang: str) -> list[TrackingLine]:
    """The rows as the report shows them; a group is withheld below the stricter of the report's
    ``min_group`` and its organisation's own threshold (``ResponseCounts.min_group``)."""
    out = []
    for row in rows:
        hidden = withheld(row, min_group)
        rate = row.answered / row.invited * 100 if row.invited and not hidden else None
        out.append(
            TrackingLine(
                wave=i18n.label(Wave(row.wave), lang),
                rater=i18n.label(Rater(row.rater), lang),
                invited=row.invited,
                opened=None if hidden else row.opened,
                answered=None if hidden else row.answered,
                rate=None if rate is None else i18n.format_percent(rate, lang),
            )
        )
    return out
