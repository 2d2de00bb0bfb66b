"""Hostile files: every importer, fed generated garbage, either imports or stops with a clean
error (a ``KirkpatrickError``, one message per problem) and writes nothing. Never another exception,
never part of a file. ``bench/fuzz_import.py`` runs the same property with atheris for longer."""

from __future__ import annotations

import csv
import io
import string
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, text
from support import SAMPLE, Cli, PostgresCluster, snapshot

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.io.importing import LONG_COLUMNS, ImportOptions, import_measurements
from kirkpatrick.services import records
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Measurement

HOSTILE = [
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil")',
    "'; DROP TABLE measurement; --",
    "\x00",
    "\ufeff",
    "\u202e",
    "\r",
    "\n",
    '"',
    '""',
    "\\",
    "",
    " ",
    "\t",
    "1e309",
    "-1e309",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1,5",
    "1.5",
    "1.5.5",
    "٣",
    "３",
    "1_0",
    "0x10",
    " 3 ",
    "3.",
    ".5",
    "+2",
    "-0",
    "4,",
    "1 000",
    "9" * 400,
    "2024-02-30",
    "2024-13-01",
    "0000-01-01",
    "9999-12-31",
    "24-01-01",
    "2024-1-1",
    "2024-03-01T00:00",
    "pre",
    "post",
    "follow_up",
    "follow-up",
    "PRE",
    " Post ",
    "self",
    "manager",
    "org",
    "MANAGER",
    "treatment",
    "control",
    "p001",
    "p002",
    "P001",
    "FUZZ-1",
    "NOPE",
    "proc_fit",
    "lf",
    "lf_1",
    "lf_3",
    "satisfaction",
    "sick_leave",
    "x" * 5000,
]
# Header names: the real ones, near misses, measure and item codes, and junk.
HEADER_NAMES = [
    *LONG_COLUMNS,
    "Participant ",
    "VALUE",
    "värde",
    "",
    "lf",
    "lf_1",
    "lf_2",
    "-lf_3",
    "proc_fit",
    "sick_leave",
    "x" * 300,
    "<b>",
    "participant",
]

cells = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(0, 12).map(lambda n: f"{n / 2:g}"),
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """CSV-like bytes: a header of (mostly) real names, rows of hostile cells, any delimiter,
    quoted properly or not, in one of the encodings survey tools write (or not quite)."""
    header = draw(st.lists(st.sampled_from(HEADER_NAMES), min_size=0, max_size=9))
    width = max(len(header), 1)
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 2), max_size=15))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    if draw(st.booleans()):
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
        for row in [header, *rows]:
            writer.writerow(row)
    else:
        buffer.write("\n".join(delimiter.join(row) for row in [header, *rows]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    data = buffer.getvalue().encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:  # now and then, a few random bytes in the middle
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    return data


def _mostly(valid: list[str]) -> st.SearchStrategy[str]:
    """Usually a valid value, now and then a hostile one: files that nearly import."""
    return st.integers(0, 24).flatmap(lambda k: cells if k == 0 else st.sampled_from(valid))


@st.composite
def nearly_valid_files(draw: st.DrawFn) -> bytes:
    """A long CSV whose rows are mostly right, so that imports succeed as well as fail."""
    columns = draw(st.permutations(["participant", "measure", "wave", "value", "rater"]))
    makers = {
        "participant": _mostly([f"q{i}" for i in range(6)] + ["p001", "p002"]),
        "measure": _mostly(["proc_fit", "satisfaction", "team", "sick_leave"]),
        "wave": _mostly(["pre", "post", "follow_up"]),
        "value": _mostly(["1", "2.5", "3", "4,5", "5"]),
        "rater": _mostly(["self", "manager", "org"]),
    }
    rows = draw(st.lists(st.fixed_dictionaries({c: makers[c] for c in columns}), min_size=1, max_size=8))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";"])), lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return buffer.getvalue().encode("utf-8")


@st.composite
def measurement_options(draw: st.DrawFn) -> ImportOptions:
    return ImportOptions(
        intervention=draw(st.sampled_from(["FUZZ-1", "FUZZ-1", None, "NOPE", "<script>"])),
        layout=draw(st.sampled_from([None, None, "long", "wide", "tall"])),
        wave=draw(st.sampled_from([None, "pre", "post", "PRE", "later"])),
        rater=draw(st.sampled_from([None, "self", "org", "boss"])),
        delimiter=draw(st.sampled_from([None, None, ",", ";", "\\t", "ab", '"'])),
        decimal=draw(st.sampled_from([None, None, ",", ".", "x"])),
        encoding=draw(st.sampled_from([None, None, "utf-8", "cp1252", "no-such-encoding"])),
        min_item_share=draw(st.sampled_from([0.8, 0.0, 1.0, 1.5])),
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


xlsx_cells = st.one_of(
    st.sampled_from(HOSTILE[:3] + ["=1/0", "=A1", "=SUM(A1:A3)", None, True]),  # formulas have no saved result
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(-5, 25),
    st.dates().map(lambda d: d),
    st.text(string.ascii_letters + string.digits + " .,;:-_<>\"'åäö", max_size=10).filter(
        lambda s: not s.startswith("=")
    ),
)
xlsx_files = st.builds(
    lambda header, rows: _xlsx([header, *rows]),
    st.lists(
        st.sampled_from(["participant", "lf", "lf_1", "proc_fit", "wave", "rater", "value", "measure", "x"]), max_size=7
    ),
    st.lists(st.lists(xlsx_cells, max_size=7), max_size=8),
)


# ---------------------------------------------------------------- the database under attack


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database with a catalogue, an intervention and some measurements, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        url = cluster.new_database()
    cli = Cli(url)
    cli("init")
    cli("measure", "import", str(SAMPLE / "measures.csv"))
    cli("client", "add", "Fuzz AB")
    cli(
        "intervention",
        "add",
        "FUZZ-1",
        "--client",
        "Fuzz AB",
        "--title",
        "Fuzz",
        "--target-group",
        "managers",
        "--format",
        "group_coaching",
        "--start",
        "2024-01-01",
        "--end",
        "2024-12-31",
    )
    seed = tmp_path_factory.mktemp("seed") / "seed.csv"
    seed.write_text(
        "participant,measure,wave,value,rater\np001,proc_fit,pre,3,self\np001,lf,post,4,self\n"
        "p002,satisfaction,post,7,manager\n",
        encoding="utf-8",
    )
    cli("import", str(seed), "--intervention", "FUZZ-1")
    engine = db.make_engine(url)
    yield engine
    engine.dispose()


def _undo_import(engine: Engine, before_max: int, before_participants: int) -> None:
    """Remove what a successful import added, so that every example starts from the same state."""
    with db.writer(engine).begin() as c:
        c.execute(text("DELETE FROM item_response WHERE measurement_id > :m"), {"m": before_max})
        c.execute(text("DELETE FROM measurement WHERE id > :m"), {"m": before_max})
        c.execute(text("DELETE FROM participant WHERE id > :p"), {"p": before_participants})


def _max_ids(engine: Engine) -> tuple[int, int]:
    with engine.connect() as c:
        return (
            c.execute(text("SELECT COALESCE(MAX(id), 0) FROM measurement")).scalar_one(),
            c.execute(text("SELECT COALESCE(MAX(id), 0) FROM participant")).scalar_one(),
        )


def check_measurement_import(engine: Engine, path: Path, options: ImportOptions) -> None:
    """The property: a clean error and no change, or an import of exactly what it says it imported."""
    before = snapshot(engine)
    max_measurement, max_participant = _max_ids(engine)
    try:
        summary = import_measurements(engine, path, options)
    except KirkpatrickError as exc:
        event("refused with a clean error")
        message = str(exc)
        assert message.strip(), "an error needs a message"
        assert "Traceback" not in message
        assert snapshot(engine) == before, "a failed import changed the database"
        return
    with engine.connect() as c:
        added = c.execute(
            select(func.count()).select_from(Measurement).where(Measurement.id > max_measurement)
        ).scalar_one()
    assert added == summary.imported
    event("imported" if added else "nothing new to import")
    _undo_import(engine, max_measurement, max_participant)
    after = snapshot(engine)
    # An import that wrote raises its interventions' data version (the analysis cache's key):
    # deleting the rows by hand above does not lower it again, and need not.
    assert after.pop("analysis_version") == before.pop("analysis_version") or added or summary.participants_created
    assert after == before


class _Undo(Exception):
    """Raised to roll back a successful catalogue/feedback/intervention import."""


def check_record_import(engine: Engine, importer: Callable[..., object], path: Path) -> None:
    before = snapshot(engine)
    try:
        with db.transaction(engine) as s:
            importer(s, path)
            raise _Undo
    except _Undo:
        pass
    except KirkpatrickError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
    assert snapshot(engine) == before


FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(FUZZ, max_examples=150)
@given(data=csv_files(), options=measurement_options(), suffix=st.sampled_from([".csv", ".csv", ".tsv", ".txt"]))
def test_measurement_import_of_hostile_csv(
    target: Engine, tmp_path_factory: pytest.TempPathFactory, data: bytes, options: ImportOptions, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / f"hostile{suffix}"
    path.write_bytes(data)
    check_measurement_import(target, path, options)


@settings(FUZZ, max_examples=100)
@given(data=nearly_valid_files(), intervention=st.sampled_from(["FUZZ-1", "FUZZ-1", "NOPE"]))
def test_measurement_import_of_nearly_valid_csv(
    target: Engine, tmp_path_factory: pytest.TempPathFactory, data: bytes, intervention: str
) -> None:
    path = tmp_path_factory.mktemp("near") / "nearly.csv"
    path.write_bytes(data)
    check_measurement_import(target, path, ImportOptions(intervention=intervention))


@settings(FUZZ, max_examples=60)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".tsv", ".xls", ""]))
def test_measurement_import_of_random_bytes(
    target: Engine, tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("bin") / f"random{suffix}"
    path.write_bytes(data)
    check_measurement_import(target, path, ImportOptions(intervention="FUZZ-1", wave="pre"))


@settings(FUZZ, max_examples=40)
@given(data=xlsx_files, options=measurement_options(), damage=st.integers(0, 5))
def test_measurement_import_of_hostile_xlsx(
    target: Engine, tmp_path_factory: pytest.TempPathFactory, data: bytes, options: ImportOptions, damage: int
) -> None:
    if damage == 0:  # a workbook cut short: a broken zip
        data = data[: len(data) // 2]
    path = tmp_path_factory.mktemp("xlsx") / "hostile.xlsx"
    path.write_bytes(data)
    check_measurement_import(target, path, options)


@settings(FUZZ, max_examples=40)
@given(data=csv_files(), which=st.sampled_from(["measures", "interventions", "feedback"]))
def test_record_imports_of_hostile_csv(
    target: Engine, tmp_path_factory: pytest.TempPathFactory, data: bytes, which: str
) -> None:
    importer = {
        "measures": records.import_measures,
        "interventions": records.import_interventions,
        "feedback": records.import_feedback,
    }[which]
    path = tmp_path_factory.mktemp("rec") / "hostile.csv"
    path.write_bytes(data)
    check_record_import(target, importer, path)


def test_cli_reports_hostile_file_cleanly(target: Engine, tmp_path: Path) -> None:
    """Through the command: exit code 1, FILE:LINE messages, no traceback, nothing written."""
    path = tmp_path / "evil.csv"
    path.write_text(
        "participant,measure,wave,value\n<script>,proc_fit,pre,nan\np9,proc_fit,pre,1e309\np9,nope,pre,3\n",
        encoding="utf-8",
    )
    before = snapshot(target)
    result = Cli(target.url.render_as_string(hide_password=False))(
        "import", str(path), "--intervention", "FUZZ-1", ok=False
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{path}:2:" in result.output and f"{path}:3:" in result.output and f"{path}:4:" in result.output
    assert result.output.rstrip().endswith("nothing imported")
    assert snapshot(target) == before


def test_xlsx_that_is_a_zip_bomb_shape_is_refused(target: Engine, tmp_path: Path) -> None:
    """A zip that is not a workbook (as a renamed archive would be) is a clean error."""
    path = tmp_path / "not-a-workbook.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "x" * 10_000)
    before = snapshot(target)
    with pytest.raises(KirkpatrickError, match=r"not a readable \.xlsx file"):
        import_measurements(target, path, ImportOptions(intervention="FUZZ-1", wave="pre"))
    assert snapshot(target) == before
