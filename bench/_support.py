"""What the benchmarks share: a database on either backend, bulk loading, timing new processes.

Every figure is wall-clock seconds, best of ``repeat`` runs, each command in a new Python
process as a user runs it; each is printed with its ratio to the baselines measured in the same
run on the same machine (``python -c pass``, and a bare scan of the data the command reads).
"""

from __future__ import annotations

import os
import resource
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
    from conftest import PostgresCluster  # type: ignore[import-not-found]  # the test suite's cluster

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


Timing = tuple[float, float]  # (wall-clock seconds, CPU seconds of this process and its children)


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def best(fn: Callable[[], object], repeat: int = 3, before: Callable[[], object] | None = None) -> Timing:
    """The best wall-clock and the best CPU time of ``repeat`` runs of ``fn``.

    On a shared machine the wall clock also counts waiting for a core; the CPU time (user and
    system, the command's own process included) does not, so it is the steadier of the two."""
    walls, cpus = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        t, c = time.perf_counter(), _cpu()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(_cpu() - c)
    return min(walls), min(cpus)


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


def report(title: str, rows: list[tuple[str, Timing]], baselines: dict[str, Timing]) -> None:
    """Print ``rows`` (wall and CPU seconds) with each one's ratio to every baseline (wall and CPU)."""
    print(f"\n{title}")
    print(f"  {'':<52} {'wall s':>8} {'cpu s':>8}")
    for name, (wall, cpu) in baselines.items():
        print(f"  baseline: {name:<42} {wall:8.3f} {cpu:8.3f}")
    heads = "".join(f"  {'x ' + name[:22]:>24}" for name in baselines)
    print(f"  {'':<70}{heads}   (wall / cpu)")
    for name, (wall, cpu) in rows:
        ratios = "".join(f"  {f'{wall / bw:.1f} / {cpu / bc:.1f}':>24}" for bw, bc in baselines.values())
        print(f"  {name:<52} {wall:8.3f} {cpu:8.3f}{ratios}")
