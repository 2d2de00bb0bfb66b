"""A small contract for the contract tests: three call-offs of the sample interventions."""

from __future__ import annotations

from sqlalchemy import Engine

from kirkpatrick.services import contracts
from kirkpatrick.storage import db

CODE = "TST-COACH"
FIELDS = contracts.ContractFields(
    registration_number="125-1210/2014",
    title="Coachning av chefer",
    buyer="Teststad",
    supplier="Coach AB",
    start="2024-01-01",
    end="2025-12-31",
    services=("individual_coaching=100", "group_coaching"),
)


def add_contract(engine: Engine, *, interviews: int = 6, graders_of_efficiency: int = 4) -> None:
    """The contract, two call-offs, ``interviews`` interviews; efficiency graded by only some."""
    with db.transaction(engine) as s:
        contracts.add_contract(s, CODE, FIELDS)
        contracts.set_call_offs(s, CODE, ["VBY-COACH-2024", "NRB-LG-2024"])
        for k in range(interviews):
            grades = {"target_group_fit": str(5 - k % 2), "feasibility": str(3 + k % 3), "credibility": "5"}
            if k < graders_of_efficiency:
                grades["efficiency"] = str(4 + k % 2)
            fields = contracts.InterviewFields(
                "rektor", f"Enhet {k % 3}", f"2025-11-{k + 1:02d}", "Upphandling", grades
            )
            contracts.add_interview(s, CODE, f"I{k:02d}", fields)
        if interviews < 3:
            return
        contracts.add_quote(s, CODE, "I00", "Cleared about treatment", theme="treatment", cleared=True)
        contracts.add_quote(s, CODE, "I01", "SECRET not cleared", theme="future_requirements", cleared=False)
        contracts.add_quote(s, CODE, "I01", "Require municipal experience", theme="future_requirements", cleared=True)
        contracts.add_quote(s, CODE, "I02", "They know the city", theme="success_factors", cleared=True)
