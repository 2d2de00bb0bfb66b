"""Fixed vocabularies: the strings stored in the database and typed on the command line.

Every enumeration here is stored as a plain string column with a CHECK constraint
(see ``models.py``), so a database never holds a value the code does not know.
Swedish and English labels live with the report translations, not here.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """Kirkpatrick's four levels of evaluation, in order."""

    REACTION = "reaction"
    LEARNING = "learning"
    BEHAVIOUR = "behaviour"
    RESULTS = "results"

    @property
    def number(self) -> int:
        """Kirkpatrick's level number, 1 (reaction) to 4 (results)."""
        return list(Level).index(self) + 1


class Wave(StrEnum):
    """When a measurement was taken relative to the intervention."""

    PRE = "pre"
    POST = "post"
    FOLLOW_UP = "follow_up"


class Rater(StrEnum):
    """Who gave the rating: the participant, their manager, a direct report, a peer, or an
    organisational figure (for level-4 results such as sick leave)."""

    SELF = "self"
    MANAGER = "manager"
    REPORT = "report"
    PEER = "peer"
    ORG = "org"


class Group(StrEnum):
    """Whether a participant took part in the intervention or belongs to a comparison group."""

    TREATMENT = "treatment"
    CONTROL = "control"


class Format(StrEnum):
    """The form an intervention takes."""

    INDIVIDUAL_COACHING = "individual_coaching"
    GROUP_COACHING = "group_coaching"
    LEADERSHIP_GROUP_DEVELOPMENT = "leadership_group_development"
    TRAINING_PROGRAMME = "training_programme"


class TargetGroup(StrEnum):
    """Whom an intervention is for."""

    MANAGERS = "managers"
    FIRST_LINE_MANAGERS = "first_line_managers"
    TEAM_LEADERS = "team_leaders"
    LEADERSHIP_GROUP = "leadership_group"


class TransferFactor(StrEnum):
    """Design features that research on training transfer links to larger effects
    (Lacerenza et al. 2017; Blume et al. 2010)."""

    NEEDS_ANALYSIS = "needs_analysis"
    SPACED_SESSIONS = "spaced_sessions"
    PEER_SUPPORT = "peer_support"
    PSYCHOLOGICAL_SAFETY = "psychological_safety"
    SUPERVISOR_SUPPORT = "supervisor_support"
    PRACTICE_FEEDBACK = "practice_feedback"
    ON_THE_JOB_APPLICATION = "on_the_job_application"


class QuoteTheme(StrEnum):
    """What a follow-up quote is about (the headings of a municipal contract follow-up)."""

    QUALITY_OUTCOME = "quality_outcome"
    SUCCESS_FACTORS = "success_factors"
    AVAILABILITY_FLEXIBILITY = "availability_flexibility"
    TREATMENT = "treatment"
    FUTURE_REQUIREMENTS = "future_requirements"
    OTHER = "other"


class HeadlineKind(StrEnum):
    """What a level's headline figure is."""

    SMCR = "smcr"  # composite standardized mean change from before to after
    POMP = "pomp"  # measured after only: mean percent of the scale's maximum (descriptive)
    NONE = "none"  # nothing reportable


class Comparison(StrEnum):
    """Where a result's confidence interval lies against a published benchmark."""

    ABOVE = "above"
    BELOW = "below"
    CONSISTENT = "consistent"  # the benchmark lies inside the interval
    NOT_COMPARABLE = "not_comparable"  # a descriptive figure, on another scale than the benchmark
    NONE = "none"  # no interval


class SurveyTool(StrEnum):
    """Survey tools whose exports ``kirkpatrick import`` reads as they come (``io/formats/``)."""

    QUALTRICS = "qualtrics"
    SURVEYMONKEY = "surveymonkey"
    MSFORMS = "msforms"
    GOOGLEFORMS = "googleforms"
    SWEDISH = "swedish"


VOCABULARIES: dict[str, type[StrEnum]] = {
    "level": Level,
    "wave": Wave,
    "rater": Rater,
    "group": Group,
    "format": Format,
    "target_group": TargetGroup,
    "transfer_factor": TransferFactor,
}


def parse(vocabulary: type[StrEnum], text: str, *, what: str | None = None) -> StrEnum:
    """Return the member of ``vocabulary`` spelled ``text`` (case and surrounding space ignored).

    Raises ``ValueError`` naming the allowed values, so the caller can show it as is.
    """
    key = text.strip().lower()
    try:
        return vocabulary(key)
    except ValueError:
        allowed = ", ".join(m.value for m in vocabulary)
        label = what or vocabulary.__name__.lower()
        raise ValueError(f"unknown {label} {text!r} (expected one of: {allowed})") from None
