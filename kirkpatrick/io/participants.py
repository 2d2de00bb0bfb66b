"""Participants of an import: the file's codes checked, matched to stored participants or created.

Files repeat a participant on many rows: a combination of cells (code, intervention, group,
role) seen and accepted once is accepted again by one dict lookup.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from kirkpatrick.domain import parsing
from kirkpatrick.domain.errors import NotFound
from kirkpatrick.domain.vocab import Group
from kirkpatrick.io.sniff import Cell
from kirkpatrick.io.validate import Errors, text_of
from kirkpatrick.storage.models import Intervention, Participant

GROUPS = [g.value for g in Group]


class Participants:
    """Index -> intervention id, code, group, role, database id (``None`` while new)."""

    def __init__(self, connection: Connection, errors: Errors, intervention: str | None) -> None:
        self.c = connection
        self.errors = errors
        self.interventions = {code: iid for iid, code in connection.execute(select(Intervention.id, Intervention.code))}
        self.option = intervention
        self.fixed: int | None = None
        if intervention is not None:
            code = intervention.strip()
            if code not in self.interventions:
                raise NotFound(f"no intervention with code {code!r}")
            self.fixed = self.interventions[code]
        self.index: dict[tuple[int, str], int] = {}
        self.intervention: list[int] = []
        self.code: list[str] = []
        self.group: list[str | None] = []
        self.role: list[str | None] = []
        self.id: list[int | None] = []
        self.loaded: set[int] = set()
        self.accepted: dict[Any, int] = {}  # participant cells (one, or a tuple) -> index
        self.columns: list[int] | None = None

    def cells(self, columns: dict[str, int]) -> list[int]:
        if self.columns is None:
            self.columns = [columns[c] for c in ("participant", "intervention", "group", "role") if c in columns]
        return self.columns

    def get(self, line: int, cells: list[Cell], columns: dict[str, int]) -> int | None:
        indices = self.cells(columns)
        seen = cells[indices[0]] if len(indices) == 1 else tuple([cells[i] for i in indices])
        p = self.accepted.get(seen)
        if p is not None:
            return p
        p = self._check(line, cells, columns)
        if p is not None and len(self.accepted) < 1_000_000:
            self.accepted[seen] = p
        return p

    def _intervention(self, line: int, cells: list[Cell], columns: dict[str, int]) -> int | None:
        iid = self.fixed
        ii = columns.get("intervention")
        if ii is None:
            return iid
        given = text_of(cells[ii])
        if given:
            found = self.interventions.get(given)
            if found is None:
                self.errors.add(line, "intervention", f"unknown intervention {given!r}")
                return None
            if iid is not None and found != iid:
                self.errors.add(line, "intervention", f"row is for {given!r}, not {self.option!r} (--intervention)")
                return None
            return found
        if iid is None:
            self.errors.add(line, "intervention", "empty intervention")
        return iid

    def _check(self, line: int, cells: list[Cell], columns: dict[str, int]) -> int | None:
        code = text_of(cells[columns["participant"]])
        if not code:
            self.errors.add(line, "participant", "empty participant")
            return None
        iid = self._intervention(line, cells, columns)
        if iid is None:
            return None
        key = (iid, code)
        p = self.index.get(key)
        if p is None:
            if iid not in self.loaded:
                self._load(iid)
                p = self.index.get(key)
            if p is None:
                if not parsing.is_code(code):
                    self.errors.add(line, "participant", f"bad participant code {code!r} ({parsing.CODE_RULE})")
                    return None
                p = self._new(iid, code, None, None, None)
        ig, irole = columns.get("group"), columns.get("role")
        if ig is not None and not self._check_group(line, p, code, text_of(cells[ig])):
            return None
        if irole is not None and not self._check_role(line, p, code, text_of(cells[irole])):
            return None
        return p

    def _where(self, p: int) -> str:
        return "in the database" if self.id[p] is not None else "earlier in the file"

    def _check_group(self, line: int, p: int, code: str, given: str) -> bool:
        group = given.lower()
        if not group:
            return True
        if group not in GROUPS:
            self.errors.add(line, "group", f"unknown group {given!r} (expected one of: {', '.join(GROUPS)})")
            return False
        known = self.group[p]
        if known is None:
            self.group[p] = group
        elif known != group:
            self.errors.add(line, "group", f"participant {code} is in group {known} {self._where(p)}, not {group}")
            return False
        return True

    def _check_role(self, line: int, p: int, code: str, role: str) -> bool:
        if not role:
            return True
        known = self.role[p]
        if known is None and self.id[p] is None:
            if len(role) > 100:
                self.errors.add(line, "role", f"role is too long ({len(role)} characters, at most 100)")
                return False
            self.role[p] = role
        elif known != role:
            where = self._where(p)
            self.errors.add(line, "role", f"participant {code} has role {known or '(none)'} {where}, not {role}")
            return False
        return True

    def _new(self, iid: int, code: str, group: str | None, role: str | None, pid: int | None) -> int:
        p = len(self.code)
        self.index[(iid, code)] = p
        self.intervention.append(iid)
        self.code.append(code)
        self.group.append(group)
        self.role.append(role)
        self.id.append(pid)
        return p

    def _load(self, iid: int) -> None:
        self.loaded.add(iid)
        query = select(Participant.id, Participant.code, Participant.group, Participant.role).where(
            Participant.intervention_id == iid
        )
        for pid, code, group, role in self.c.execute(query):
            self._new(iid, code, group.value if hasattr(group, "value") else group, role, pid)

    def preload(self, iid: int, codes: list[str]) -> None:
        """Load only the stored participants among ``codes`` (a form's few respondents), and treat
        the intervention as loaded: codes not found are new. ``stored_codes`` is then partial."""
        if iid in self.loaded:
            return
        self.loaded.add(iid)
        wanted = sorted(set(codes))
        for start in range(0, len(wanted), 500):
            query = select(Participant.id, Participant.code, Participant.group, Participant.role).where(
                Participant.intervention_id == iid, Participant.code.in_(wanted[start : start + 500])
            )
            for pid, code, group, role in self.c.execute(query):
                self._new(iid, code, group.value if hasattr(group, "value") else group, role, pid)

    def stored_codes(self, iid: int) -> list[str]:
        """Codes of the intervention's participants already in the database."""
        if iid not in self.loaded:
            self._load(iid)
        return [c for c, i, pid in zip(self.code, self.intervention, self.id) if i == iid and pid is not None]
