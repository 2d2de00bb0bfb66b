"""Start-up: a command loads only what it uses; the cheap schema checks agree with Alembic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from support import SAMPLE, Cli

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


# What a command served from the analysis cache must not load: the ORM and its models, the
# array and statistics libraries, the modules that compute.
COMPUTING = ("numpy", "scipy", "sqlalchemy.orm", "kirkpatrick.storage.models", "kirkpatrick.stats._paired")

MODULES = """
import json, sys
from kirkpatrick.cli import main
try:
    main(%r, prog_name="kirkpatrick")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _run(url: str, cache: Path, *args: str) -> tuple[str, set[str]]:
    """``kirkpatrick --db url args...`` in a new process: its output and every module it loaded."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", MODULES % (["--db", url, *args],)], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout, set(json.loads(done.stderr.strip().splitlines()[-1]))


def _computing(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m.startswith(COMPUTING))


def test_a_cached_stats_and_report_load_nothing_that_computes(
    catalogue: Engine, cli: Cli, db_url: str, tmp_path: Path
) -> None:
    cli("import", str(SAMPLE / "measurements.csv"))
    first, loaded = _run(db_url, tmp_path, "stats", "NRB-LG-2024", "--json")  # computes and stores
    assert "numpy" in loaded  # the probe sees what computing loads
    again, loaded = _run(db_url, tmp_path, "stats", "NRB-LG-2024", "--json")
    assert again == first and json.loads(again)["levels"]
    assert _computing(loaded) == []
    _run(db_url, tmp_path, "report", "NRB-LG-2024", "-o", str(tmp_path / "first.html"))
    _, loaded = _run(db_url, tmp_path, "report", "NRB-LG-2024", "-o", str(tmp_path / "again.html"))
    assert _computing(loaded) == []
    assert (tmp_path / "again.html").read_bytes() == (tmp_path / "first.html").read_bytes()


def test_the_statistics_package_gives_its_functions_however_their_modules_were_imported() -> None:
    probe = (
        "import types, kirkpatrick.stats._paired, kirkpatrick.stats._independent, kirkpatrick.stats._meta_regression\n"
        "import kirkpatrick.stats as s\n"
        "print(sorted(n for n in s.__all__ if isinstance(getattr(s, n), types.ModuleType)))\n"
        "print(callable(s.paired) and s.paired.__name__ == 'paired' and s.meta_regression.__module__)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "kirkpatrick.stats._meta_regression"]
