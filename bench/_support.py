"""What the benchmarks share: a database on either backend, bulk loading, timing new processes.

Every figure is wall-clock seconds, best of ``repeat`` runs, each command in a new Python
process as a user runs it; each is printed with its ratio to the baselines measured in the same
run on the same machine (``python -c pass``, and a bare scan of the data the command reads).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from kirkpatrick.storage import analysis_cache, db

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def database(backend: str) -> Iterator[str]:
    """The URL of a new, empty database: an SQLite file, or a throwaway PostgreSQL cluster."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kirkpatrick-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import PostgresCluster  # the test suite's throwaway cluster

    cluster = PostgresCluster()
    cluster.start()
    try:
        yield cluster.new_database()
    finally:
        cluster.stop()


def insert_rows(engine: Engine, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite (outside any kirkpatrick code path)."""
    with db.writer(engine).begin() as c:
        if c.dialect.name == "postgresql":
            raw = c.connection.dbapi_connection
            assert raw is not None
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            c.exec_driver_sql(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', list(rows))


def analyse_after_vacuum(engine: Engine) -> None:
    """Planner statistics, as a database that has lived a while has them."""
    if engine.dialect.name == "postgresql":
        with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as c:
            c.execute(text("ANALYZE"))


def forget_cached(engine: Engine) -> None:
    """What an import does to the cache: every intervention's data version goes up."""
    with db.writer(engine).begin() as c:
        ids = [r[0] for r in c.execute(text("SELECT id FROM intervention"))]
        analysis_cache.bump(c, ids)


def best(fn: Callable[[], object], repeat: int = 3, before: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def process(args: Sequence[str], url: str | None = None, *, check: bool = True) -> Callable[[], object]:
    """A function that runs ``python args...`` in a new process (failing loudly if ``check``)."""
    env = dict(os.environ)
    if url is not None:
        env[db.ENV_VAR] = url

    def run() -> None:
        done = subprocess.run([sys.executable, *args], env=env, capture_output=True)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.decode()[-2000:]}")

    return run


def kirkpatrick(*args: str, url: str | None = None, check: bool = True) -> Callable[[], object]:
    return process(["-m", "kirkpatrick", *args], url, check=check)


def report(title: str, rows: list[tuple[str, float]], baselines: dict[str, float]) -> None:
    """Print ``rows`` with each one's ratio to every baseline."""
    print(f"\n{title}")
    for name, seconds in baselines.items():
        print(f"  baseline {name:<52} {seconds:7.3f} s")
    heads = "".join(f"  x {name[:18]:<18}" for name in baselines)
    print(f"  {'':<61} {heads}")
    for name, seconds in rows:
        ratios = "".join(f"  {seconds / b:20.1f}" for b in baselines.values())
        print(f"  {name:<52} {seconds:7.3f} s{ratios}")
