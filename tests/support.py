"""Shared fixtures: every database test runs on SQLite and on a throwaway PostgreSQL cluster.

The PostgreSQL cluster is created with ``initdb`` in a temporary folder, started with ``pg_ctl``
on a Unix socket only (no TCP port), and removed at the end of the session. ``initdb`` refuses
to run as root, so as root the cluster runs as the ``postgres`` system user.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, text

from kirkpatrick.cli import main
from kirkpatrick.storage import db

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
BACKENDS = ["sqlite", "postgresql"]


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(
        f"{name} not found: install PostgreSQL server binaries (Debian: apt-get install postgresql); .ci/run does this"
    )


class PostgresCluster:
    """A throwaway PostgreSQL server reachable on a private Unix socket."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="kirkpatrick-pg-"))
        self.data = self.base / "data"
        self.socket = self.base / "socket"
        self.socket.mkdir()
        self.port = 54329
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.socket, "postgres")
            os.chmod(self.base, 0o755)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._counter = itertools.count(1)

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C")
        options = f"-p {self.port} -k {self.socket} -c listen_addresses='' -c fsync=off -c max_connections=200"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.base / "log"), "-w", "start")

    def stop(self) -> None:
        try:
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket}&port={self.port}"

    def new_database(self, name: str | None = None) -> str:
        name = name or f"test_{os.getpid()}_{next(self._counter)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def recreate_from(self, name: str, template: str) -> None:
        """Replace the (empty) database ``name`` by a copy of ``template``."""
        self._admin(f'DROP DATABASE "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def _admin(self, *statements: str) -> None:
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            for statement in statements:
                c.execute(text(statement))
        admin.dispose()


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[str]:
    """``app`` (a WSGI application) served on a free loopback port in a thread, for the browser
    tests; its base URL. Stopped, and a kirkpatrick application's engine disposed, afterwards."""
    import threading

    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        engine = getattr(app, "extensions", {}).get("kirkpatrick_engine")
        if engine is not None:
            engine.dispose()


@pytest.fixture(autouse=True, scope="session")
def test_run_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled templates and catalogues (reports/compiled.py) go to a folder of this test run, not
    the tester's ~/.cache; commands run in new processes inherit it."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--postgres", action="store_true", help="also run every database test on PostgreSQL")
    parser.addoption("--browser", action="store_true", help="also run the tests that drive Chromium")
    parser.addoption("--slow", action="store_true", help="also run the tests marked slow (killed processes, races)")
    parser.addoption("--all", action="store_true", help="run everything, as CI does (--postgres --browser --slow)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Locally the suite runs on SQLite alone, without a browser and without the slow tests, in about
    a minute; CI (CI=true) or --all runs everything, and --postgres, --browser, --slow add one kind."""
    everything = config.getoption("--all") or os.environ.get("CI") == "true"
    run_pg = everything or config.getoption("--postgres")
    run_browser = everything or config.getoption("--browser")
    run_slow = everything or config.getoption("--slow")
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        # a test on PostgreSQL takes the backend as ``db_url`` or as a parameter of its own
        on_pg = params is not None and any(isinstance(v, str) and v == "postgresql" for v in params.params.values())
        if (
            (on_pg and not run_pg)
            or (item.get_closest_marker("browser") and not run_browser)
            or (item.get_closest_marker("slow") and not run_slow)
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a new, empty database, once on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


@pytest.fixture
def raw_engine(db_url: str) -> Iterator[Engine]:
    """An engine on a new, empty database (no schema), on each backend."""
    engine = db.make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the schema at head, built once per test process (the migrations replayed
    once instead of once per test); ``engine`` copies it."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    template = db.make_engine(f"sqlite:///{path}")
    db.init_db(template)
    template.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresCluster) -> str:
    """The name of a PostgreSQL database with the schema at head, built once per test process;
    ``engine`` creates each test's database from it (``CREATE DATABASE ... TEMPLATE``)."""
    name = f"template_{os.getpid()}"
    template = db.make_engine(postgres.new_database(name))
    db.init_db(template)
    template.dispose()
    return name


@pytest.fixture
def engine(raw_engine: Engine, request: pytest.FixtureRequest) -> Engine:
    """An initialised database (schema at head) on each backend: a copy of the template that the
    migrations built once (tests/test_migrations.py runs the migrations themselves)."""
    url = raw_engine.url
    raw_engine.dispose()
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        shutil.copyfile(request.getfixturevalue("sqlite_template"), url.database)
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        cluster.recreate_from(str(url.database), request.getfixturevalue("postgres_template"))
    return raw_engine


class Cli:
    """Runs ``kirkpatrick --db URL ...`` in-process and returns click's result."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = self.runner.invoke(main, ["--db", self.url, *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result


@pytest.fixture
def catalogue(engine: Engine) -> Engine:
    """An initialised database with the sample measures and interventions, no measurements."""
    from kirkpatrick.services import records

    with db.transaction(engine) as s:
        records.import_measures(s, SAMPLE / "measures.csv")
        records.import_interventions(s, SAMPLE / "interventions.csv")
    return engine


@pytest.fixture
def cli(engine: Engine, db_url: str) -> Cli:
    """The CLI bound to an initialised database on each backend."""
    return Cli(db_url)


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted: compare before and after to prove nothing changed."""
    from kirkpatrick.storage.schema import metadata

    with engine.connect() as c:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in c.execute(table.select()))
            for table in metadata.sorted_tables
        }
