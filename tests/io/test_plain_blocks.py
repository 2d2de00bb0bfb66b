"""A CSV file cut at C speed while it is plain (``sniff._plain_blocks``) gives exactly the rows,
cells and line numbers of the ``csv`` module read row by row (``sniff._careful_batches``, the
reference for every line number): for any text, any batch size and any block size, including
quotes, carriage returns, blank lines, ragged rows, long lines and encodings other than UTF-8."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kirkpatrick.io import sniff
from kirkpatrick.io.sniff import ColumnRows, Dialect, Table

Read = list[tuple[int, list[str]]]


def table(data: bytes, encoding: str = "utf-8", delimiter: str = ",") -> Table:
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return Table("t.csv", Dialect("csv", encoding, delimiter, ".", None, lines), lambda: io.BytesIO(data))


def read(t: Table, size: int) -> Read:
    return [(line, list(row)) for lines, cells in sniff.row_batches(t, size) for line, row in zip(lines, cells)]


def reference(t: Table) -> Read:
    return [(line, list(row)) for lines, cells in sniff._careful_batches(t, 1000, 0) for line, row in zip(lines, cells)]


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sniff, "_FIRST_BLOCK", 7)
    monkeypatch.setattr(sniff, "_BLOCK", 23)


def test_a_plain_file_is_read_as_columns_with_the_csv_modules_cells() -> None:
    data = b"participant,measure,value\nP1,m1,3.5\nP2,m1,4\nP3,m2,\n"
    t = table(data)
    batches = list(sniff.row_batches(t, 2))
    assert all(isinstance(cells, ColumnRows) for _, cells in batches)
    assert [lines for lines, _ in batches] == [[1, 2], [3, 4]]
    assert read(t, 2) == reference(t)
    first = batches[0][1]
    assert isinstance(first, ColumnRows)
    assert first.columns == [["participant", "P1"], ["measure", "m1"], ["value", "3.5"]]
    assert len(first) == 2 and first[1] == ["P1", "m1", "3.5"] and list(first[1:]) == [["P1", "m1", "3.5"]]


@pytest.mark.parametrize(
    "text",
    [
        'a,b\n1,"x,y"\n2,z\n',  # a quote: the csv module from there on
        "a,b\r\n1,2\r\n",  # Windows line ends (read as plain)
        "a,b\r\n1,2\n3,4\r\n",  # mixed line ends
        "a,b\r1,2\r\n",  # a lone carriage return ends a line too
        "a,b\n1,x\ry\n",  # a carriage return inside a field
        "a,b\n\n1,2\n",  # a blank line
        "a,b\n1,2,3\n4,5\n",  # a ragged row
        "a\nb\nc\n",  # one column
        "a,b\n1,2",  # no newline at the end
        'a,b\n1,2\n3,"multi\nline"\n4,5\n',  # a field over two lines, after plain rows
        "a,b\n1,\x00\n",  # NUL
    ],
)
def test_what_is_not_plain_is_read_as_the_csv_module_reads_it(text: str, small_blocks: None) -> None:
    t = table(text.encode())
    for size in (1, 2, 1000):
        assert read(t, size) == reference(t)


def test_a_line_longer_than_the_csv_module_allows_is_left_to_it() -> None:
    import csv

    limit = csv.field_size_limit(10)
    try:
        t = table(b"a,b\n1,2\n" + b"x" * 40 + b",y\n")
        with pytest.raises(sniff.InvalidInput, match=r"t\.csv:3: malformed line"):
            read(t, 1000)
        # A line longer than the first block and than the limit, with no newline in sight.
        t = table(b"a,b\n" + b"x" * (sniff._FIRST_BLOCK + 5) + b",y\n")
        with pytest.raises(sniff.InvalidInput, match=r"t\.csv:2: malformed line"):
            read(t, 1000)
    finally:
        csv.field_size_limit(limit)


@pytest.mark.parametrize(("encoding", "text"), [("cp1252", "namn;värde\nÅsa;3,5\n"), ("utf-8-sig", "a;b\nå;1\n")])
def test_encodings_whose_ascii_bytes_are_ascii(encoding: str, text: str, small_blocks: None) -> None:
    t = table(text.encode(encoding), encoding, ";")
    assert read(t, 1) == reference(t)
    assert read(t, 1)[0][1][0] in ("namn", "a")  # a byte order mark is not part of the first cell


def test_windows_line_ends_are_plain() -> None:
    t = table("a;b\r\nÅsa;3,5\r\nBo;4\r\n".encode("cp1252"), "cp1252", ";")
    assert all(isinstance(cells, ColumnRows) for _, cells in sniff.row_batches(t, 10))
    assert read(t, 10) == reference(t) == [(1, ["a", "b"]), (2, ["Åsa", "3,5"]), (3, ["Bo", "4"])]


def test_other_encodings_and_delimiters_go_to_the_csv_module() -> None:
    t = table("a,b\n1,2\n".encode("utf-16"), "utf-16")
    assert not any(isinstance(cells, ColumnRows) for _, cells in sniff.row_batches(t, 10))
    assert read(t, 10) == [(1, ["a", "b"]), (2, ["1", "2"])]


def test_a_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("participant,measure,value\n" + "".join(f"P{i},m{i % 3},{i % 5}\n" for i in range(5000)))
    t = sniff.open_path(path)
    assert read(t, 64) == reference(t)
    assert len(read(t, 64)) == 5001


FIELDS = st.text(alphabet=st.sampled_from(["a", "å", "1", ".", " ", ",", ";", '"', "\n", "\r"]), max_size=4)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(FIELDS, min_size=1, max_size=4), max_size=12),
    raw=st.booleans(),
    ending=st.booleans(),
    size=st.integers(1, 5),
    delimiter=st.sampled_from([",", ";"]),
)
def test_any_text_reads_as_the_csv_module_reads_it(
    rows: list[list[str]], raw: bool, ending: bool, size: int, delimiter: str, small_blocks: None
) -> None:
    """Rows joined as they are (quotes and line breaks where they fall) or written by the csv
    module (quoted where needed), with or without a newline at the end."""
    import csv

    if raw:
        text = "\n".join(delimiter.join(row) for row in rows)
    else:
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
        text = out.getvalue()
    text = text if ending or not text.endswith("\n") else text[:-1]
    t = table(text.encode(), delimiter=delimiter)
    try:
        expected = reference(t)
    except sniff.InvalidInput as exc:
        with pytest.raises(sniff.InvalidInput) as got:
            read(t, size)
        assert str(got.value) == str(exc)
        return
    assert read(t, size) == expected
