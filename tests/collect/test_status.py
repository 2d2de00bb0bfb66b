"""``kirkpatrick survey status``: counts per wave and rater group, withheld for direct reports and
peers below the client's own threshold (``survey privacy --min-raters``), else the default 5."""

from __future__ import annotations

import json
import re

from collect_helpers import CODE
from sqlalchemy import Engine

from kirkpatrick.collect import plan
from kirkpatrick.storage import db


def test_survey_status_withholds_small_rater_groups_by_the_clients_threshold(collecting: Engine, cli: object) -> None:
    with db.transaction(collecting) as s:
        plan.add_respondent(s, CODE, "p1", "p1@example.org")
        for i in range(3):
            plan.add_respondent(s, CODE, "p1", f"r{i}@example.org", rater=plan.parse_rater("report"))
    rows = {r["rater"]: r for r in json.loads(cli("survey", "status", CODE, "--json").output)}  # type: ignore[operator]
    assert rows["report"]["withheld"] is True and rows["report"]["answered"] is None  # 3 < 5, the default
    assert rows["self"]["withheld"] is False and rows["self"]["answered"] == 0
    table = cli("survey", "status", CODE).output  # type: ignore[operator]
    assert re.search(r"^pre\s+report\s+3\s+0\s+-\s+-\s+-\s", table, re.M), table
    cli("survey", "privacy", "Norrby kommun, Socialkontoret", "--min-raters", "3")  # type: ignore[operator]
    rows = {r["rater"]: r for r in json.loads(cli("survey", "status", CODE, "--json").output)}  # type: ignore[operator]
    assert rows["report"]["withheld"] is False and rows["report"]["answered"] == 0 and rows["report"]["min_group"] == 3
