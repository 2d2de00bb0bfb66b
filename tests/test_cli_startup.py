"""Start-up: a command loads only what it uses; the cheap schema checks agree with Alembic."""

from __future__ import annotations

import json
import subprocess
import sys

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from kirkpatrick.storage import db

PROBE = """
import json, sys
from kirkpatrick.cli import main
try:
    main(%r, prog_name="kirkpatrick")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in
      ("sqlalchemy", "alembic", "numpy", "scipy", "jinja2", "openpyxl"))), file=sys.stderr)
"""


def _loaded(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE % (list(args),)], capture_output=True, text=True, check=True)
    return json.loads(done.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_help_loads_no_database_or_statistics_library() -> None:
    assert _loaded("--help") == []
    assert _loaded("stats", "--help") == []


def test_a_command_loads_no_migration_tool(engine: Engine, db_url: str) -> None:
    loaded = _loaded("--db", db_url, "client", "list")
    assert "sqlalchemy" in loaded and not any(m.startswith(("alembic", "scipy", "jinja2")) for m in loaded)


def test_head_and_current_revision_agree_with_alembic(engine: Engine) -> None:
    assert db.head_revision() == ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    with engine.connect() as connection:
        assert db.current_revision(engine) == MigrationContext.configure(connection).get_current_revision()
