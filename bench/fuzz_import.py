"""Coverage-guided fuzzing of every importer with atheris (libFuzzer), for a bounded time.

Not part of the test run (``tests/test_hostile_import.py`` holds the hypothesis version of the
same property, which CI runs). The property, per generated input:

- the import succeeds, and the database gained exactly the rows it reported; or
- it raises ``KirkpatrickError`` (a clean message for the user) and the database is unchanged.

Any other exception, or a change after a refused import, stops the run with the input saved
by libFuzzer as ``crash-*`` in the current folder.

Usage (atheris is not a dependency of kirkpatrick; install it into the environment first)::

    pip install atheris
    python bench/fuzz_import.py --seconds 120                 # SQLite in a temporary folder
    python bench/fuzz_import.py --seconds 120 --db postgresql+psycopg://.../empty_db

Prints the number of inputs tried, how many imported, how many were refused cleanly, and the
executions per second.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["kirkpatrick"]):
    from kirkpatrick.domain.errors import KirkpatrickError
    from kirkpatrick.io.importing import ImportOptions, import_measurements
    from kirkpatrick.io.sniff import detect  # noqa: F401  (instrumented for coverage)
    from kirkpatrick.services import records
    from kirkpatrick.storage import db

from sqlalchemy import Engine, text

from kirkpatrick.resources import sample_data_dir
from kirkpatrick.storage.models import Base

SUFFIXES = [".csv", ".tsv", ".txt", ".xlsx", ".csv"]
INTERVENTIONS = ["FUZZ-1", "FUZZ-1", None, "NOPE"]
LAYOUTS = [None, None, "long", "wide"]
WAVES = [None, "pre", "post", "later"]
RATERS = [None, "self", "org", "boss"]
DELIMITERS = [None, None, ",", ";", "\\t", "ab"]
DECIMALS = [None, None, ",", "."]
ENCODINGS = [None, None, "utf-8", "cp1252", "no-such"]
RECORD_IMPORTERS = [records.import_measures, records.import_interventions, records.import_feedback]


class Stats:
    cases = imported = refused = 0
    started = time.monotonic()


def snapshot(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    with engine.connect() as c:
        return {
            t.name: sorted(tuple(map(repr, row)) for row in c.execute(t.select())) for t in Base.metadata.sorted_tables
        }


def prepare(url: str, work: Path) -> Engine:
    engine = db.make_engine(url)
    db.init_db(engine)
    with db.transaction(engine) as s:
        records.import_measures(s, sample_data_dir() / "measures.csv")
        records.add_client(s, "Fuzz AB")
        records.add_intervention(
            s,
            "FUZZ-1",
            records.InterventionFields(
                "Fuzz", "Fuzz AB", None, "managers", "group_coaching", "2024-01-01", "2024-12-31"
            ),
        )
    seed = work / "seed.csv"
    seed.write_text(
        "participant,measure,wave,value,rater\np001,proc_fit,pre,3,self\np002,lf,post,4,manager\n", encoding="utf-8"
    )
    import_measurements(engine, seed, ImportOptions(intervention="FUZZ-1"))
    return engine


def write_corpus(folder: Path) -> None:
    """Start from real files: the sample data and a few small ones in each layout and dialect."""
    folder.mkdir(exist_ok=True)
    for path in sample_data_dir().iterdir():
        if path.suffix in (".csv", ".xlsx") and path.stat().st_size < 200_000:
            # First two bytes choose the importer and the options (see one_input), the rest is the file.
            (folder / path.name).write_bytes(bytes([0, 0]) + path.read_bytes())
    (folder / "long_semicolon").write_bytes(
        bytes([0, 0]) + "participant;measure;wave;value\np1;team;pre;3,5\n".encode("cp1252")
    )
    (folder / "wide").write_bytes(bytes([0, 1]) + b"participant,proc_fit,satisfaction\np1,4,7\np2,5,9\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="How long to fuzz (default 120).")
    parser.add_argument("--db", help="URL of an EMPTY database to use (default: SQLite in a temporary folder).")
    args, rest = parser.parse_known_args()
    work = Path(tempfile.mkdtemp(prefix="kirkpatrick-fuzz-"))
    engine = prepare(args.db or f"sqlite:///{work / 'fuzz.db'}", work)
    before = snapshot(engine)
    corpus = work / "corpus"
    write_corpus(corpus)
    deadline = time.monotonic() + args.seconds

    def one_input(data: bytes) -> None:
        if time.monotonic() > deadline:
            report()
            os._exit(0)
        Stats.cases += 1
        # Byte 0 chooses the importer and delimiter, byte 1 the options, the rest is the file.
        target = data[0] % 8 if data else 0
        choice = data[1] if len(data) > 1 else 0
        content = data[2:]
        path = work / f"input{SUFFIXES[choice % len(SUFFIXES)] if target < 6 else '.csv'}"
        path.write_bytes(content)
        if target >= 5:
            importer = RECORD_IMPORTERS[choice % len(RECORD_IMPORTERS)]
            try:
                with db.transaction(engine) as s:
                    importer(s, path)
                    raise _Undo
            except _Undo:
                Stats.imported += 1
            except KirkpatrickError:
                Stats.refused += 1
            assert snapshot(engine) == before, "a record import left rows behind"
            return
        options = ImportOptions(
            intervention=INTERVENTIONS[choice % 4],
            layout=LAYOUTS[(choice >> 2) % 4],
            wave=WAVES[(choice >> 4) % 4],
            rater=RATERS[(choice >> 6) % 4],
            delimiter=DELIMITERS[target % len(DELIMITERS)],
            decimal=DECIMALS[(choice + target) % 4],
            encoding=ENCODINGS[(choice * 7 + target) % len(ENCODINGS)],
        )
        with engine.connect() as c:
            max_m = c.execute(text("SELECT COALESCE(MAX(id), 0) FROM measurement")).scalar_one()
            max_p = c.execute(text("SELECT COALESCE(MAX(id), 0) FROM participant")).scalar_one()
        try:
            summary = import_measurements(engine, path, options)
        except KirkpatrickError as exc:
            Stats.refused += 1
            assert str(exc).strip(), "an error without a message"
            assert snapshot(engine) == before, "a refused import changed the database"
            return
        Stats.imported += 1
        with db.writer(engine).begin() as c:
            added = c.execute(text("SELECT COUNT(*) FROM measurement WHERE id > :m"), {"m": max_m}).scalar_one()
            assert added == summary.imported, f"reported {summary.imported} imported, {added} stored"
            c.execute(text("DELETE FROM item_response WHERE measurement_id > :m"), {"m": max_m})
            c.execute(text("DELETE FROM measurement WHERE id > :m"), {"m": max_m})
            c.execute(text("DELETE FROM participant WHERE id > :p"), {"p": max_p})

    def report() -> None:
        elapsed = time.monotonic() - Stats.started
        print(
            f"\nfuzz_import: {Stats.cases} inputs in {elapsed:.0f} s ({Stats.cases / elapsed:.0f}/s): "
            f"{Stats.imported} imported, {Stats.refused} refused with a clean error, 0 property failures; "
            f"database unchanged after every refusal",
            flush=True,
        )

    # -max_total_time is a backstop; the deadline check above ends the run and prints the figures.
    atheris.Setup(
        [sys.argv[0], *rest, f"-max_total_time={int(args.seconds) + 30}", "-rss_limit_mb=4096", str(corpus)], one_input
    )
    atheris.Fuzz()


class _Undo(Exception):
    """Rolls a successful record import back, so that every input starts from the same database."""


if __name__ == "__main__":
    main()
