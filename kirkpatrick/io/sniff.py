"""The one reader of tabular input: measurements, catalogue, interventions, feedback, survey exports.

Survey tools and Swedish Excel write ``;``-separated files with decimal commas in Windows-1252;
others write UTF-8 (with or without BOM) with ``,`` or tabs; workbooks come as .xlsx. ``open_table``
takes a binary stream with a display name (an upload) or ``open_path`` a file, works out how it
is written (every setting can be overridden), proves that it decodes (strictly: UTF-8, else
Windows-1252, never by replacing bytes) and then streams it as rows with their line numbers,
never holding a whole file in memory. Workbooks are checked against zip bombs first.
"""

from __future__ import annotations

import codecs
import collections
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, overload

from kirkpatrick.domain.errors import InvalidInput

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_BLOCK = 1 << 20
_COMMA_NUMBER = re.compile(r"-?\d+,\d+")
_DOT_NUMBER = re.compile(r"-?\d+\.\d+")
# Workbook guards: a zip whose parts unpack to more than this, or a sheet wider or longer, is refused.
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_XLSX_RATIO = 200  # uncompressed / compressed size of one part
MAX_XLSX_ROWS = 1_048_576  # Excel's own limit
MAX_XLSX_COLUMNS = 4_096
# A cell is one of these: text from a CSV, or what openpyxl gives for an xlsx cell.
Cell = Any
Opener = Callable[[], BinaryIO]


@dataclass(frozen=True)
class Dialect:
    """The settings a file is read with (detected, or given by the user)."""

    format: str  # "csv", "xlsx", or "rows" (canonical rows given by a caller, no file)
    encoding: str | None = None  # csv only
    delimiter: str | None = None  # csv only
    decimal: str = "."
    sheet: str | None = None  # xlsx only
    lines: int = 0  # physical lines (csv) or rows (xlsx), for a progress bar

    def describe(self) -> str:
        """One line for the user, e.g. ``csv, cp1252, delimiter ';', decimal comma``."""
        if self.format == "xlsx":
            return f"xlsx, sheet {self.sheet!r}"
        if self.format == "rows":
            return "canonical rows"
        assert self.delimiter is not None
        decimal = "decimal comma" if self.decimal == "," else "decimal point"
        return f"csv, {self.encoding}, delimiter {DELIMITERS.get(self.delimiter, repr(self.delimiter))}, {decimal}"


class DecodeFailed(InvalidInput):
    """Bytes that are not valid in the file's encoding."""


@dataclass(frozen=True)
class Table:
    """An input opened for reading: its display name, how it is written, and how to read it again."""

    name: str
    dialect: Dialect
    opener: Opener
    path: Path | None = None  # a file on disk (openpyxl opens and closes it itself)

    def row_batches(self, size: int = 65_536) -> Iterator[tuple[list[int], Rows]]:
        return row_batches(self, size)

    def rows(self, size: int = 65_536) -> Iterator[tuple[int, list[Cell]]]:
        """Every row with its line; ``size`` rows are read at a time (a few, to look at the head)."""
        for lines, cells in row_batches(self, size):
            yield from zip(lines, cells)


class ColumnRows(Sequence[list[Cell]]):
    """The rows of a plain block as its columns (``row_batches``): each row has ``len(columns)``
    cells, and a row is made as a list only when it is asked for."""

    def __init__(self, columns: list[list[str]]) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, i: int) -> list[Cell]: ...

    @overload
    def __getitem__(self, i: slice) -> ColumnRows: ...

    def __getitem__(self, i: int | slice) -> list[Cell] | ColumnRows:
        if isinstance(i, slice):
            return ColumnRows([column[i] for column in self.columns])
        return [column[i] for column in self.columns]

    def __iter__(self) -> Iterator[list[Cell]]:
        return map(list, zip(*self.columns))


# What ``row_batches`` yields: rows as lists of cells, or a plain block's columns.
Rows = list[list[Cell]] | ColumnRows


def open_path(
    path: Path,
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    name: str | None = None,
) -> Table:
    """``open_table`` for a file on disk (read from disk each pass, never held in memory); ``name``
    is what messages call it (an upload's original name, never the server's path)."""
    path = Path(path)
    if not path.is_file():
        kind = FORMATS.get(path.suffix.lower())
        if kind is None:
            raise InvalidInput(f"{path}: unsupported file type {path.suffix or '(none)'!r} (use .csv, .tsv or .xlsx)")
        raise InvalidInput(f"{path}: no such file")
    shown = name or str(path)
    if name is not None and Path(name).suffix.lower() != path.suffix.lower():
        shown = f"{name}{path.suffix}"  # the format is judged by the suffix of the shown name
    return _open(shown, lambda: path.open("rb"), delimiter, decimal, encoding, sheet, path)


def open_table(
    stream: BinaryIO,
    name: str,
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open an uploaded binary ``stream`` shown to the user as ``name``; settings given win over detection.

    Raises ``InvalidInput`` for an unreadable input, an unknown encoding, bytes that cannot be
    decoded (naming file and line) or a workbook that unpacks too large.
    """
    data = stream.read()
    return _open(name, lambda: io.BytesIO(data), delimiter, decimal, encoding, sheet)


def detect(
    path: Path,
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Dialect:
    """How the file at ``path`` is written (``open_path(...).dialect``)."""
    return open_path(path, delimiter=delimiter, decimal=decimal, encoding=encoding, sheet=sheet).dialect


def _kind(name: str, opener: Opener) -> str:
    suffix = Path(name).suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is not None:
        return kind
    with opener() as f:
        magic = f.read(4)
    if magic == b"PK\x03\x04":
        return "xlsx"
    if suffix in ("", ".dat", ".export"):
        return "csv"
    raise InvalidInput(f"{name}: unsupported file type {suffix!r} (use .csv, .tsv or .xlsx)")


def _open(
    name: str,
    opener: Opener,
    delimiter: str | None,
    decimal: str | None,
    encoding: str | None,
    sheet: str | None,
    path: Path | None = None,
) -> Table:
    kind = _kind(name, opener)
    if decimal is not None and decimal not in (",", "."):
        raise InvalidInput(f"decimal mark must be ',' or '.', not {decimal!r}")
    if kind == "xlsx":
        return Table(name, _detect_xlsx(name, opener, sheet, decimal, path), opener, path)
    if delimiter is not None:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise InvalidInput(f"delimiter must be one character, not {delimiter!r}")
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput(f"unknown encoding {encoding!r} (e.g. utf-8, cp1252)") from None
        lines = _scan(name, opener, encoding, named=True)
    else:
        with opener() as f:
            start = f.read(4)
        bom = start[:3] == codecs.BOM_UTF8
        try:
            if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                # Excel's "Unicode text" and some survey tools write UTF-16 with its byte order mark.
                encoding = "utf-16"
                lines = _scan_wide(name, opener, encoding)
            else:
                lines = _scan(name, opener, "utf-8")
                encoding = "utf-8-sig" if bom else "utf-8"
        except DecodeFailed:
            # Not UTF-8: Windows-1252 is what Swedish Excel writes ("CSV (semikolonavgränsad)").
            encoding = "cp1252"
            lines = _scan(name, opener, encoding)
    head = _head(opener, encoding)
    if delimiter is None:
        delimiter = "\t" if Path(name).suffix.lower() == ".tsv" else _guess_delimiter(head)
    if decimal is None:
        decimal = _guess_decimal(head, delimiter)
    return Table(name, Dialect("csv", encoding, delimiter, decimal, None, lines), opener, path)


def _scan(path: str, opener: Opener, encoding: str, *, named: bool = False) -> int:
    """Decode the whole file block by block (memory stays bounded) and count its lines.

    Blocks are cut after a newline byte, which never occurs inside a character in the
    encodings we read (UTF-8, Windows-1252, Latin-1), so the line of a bad byte is exact.
    """
    lines = 0
    carry = b""
    with opener() as f:
        while True:
            block = f.read(_BLOCK)
            data = carry + block
            cut = len(data) if not block else data.rfind(b"\n") + 1
            part, carry = data[:cut], data[cut:]
            try:
                part.decode(encoding)
            except UnicodeDecodeError as exc:
                line = lines + part.count(b"\n", 0, exc.start) + 1
                byte = part[exc.start : exc.start + 1].hex()
                hint = "give the right --encoding" if named else "give its --encoding"
                raise DecodeFailed(
                    f"byte 0x{byte} is not valid {encoding}; {hint} (e.g. utf-8, cp1252)", path=path, line=line
                ) from None
            lines += part.count(b"\n")
            if not block:
                break
    return lines + (1 if carry else 0)


def _scan_wide(path: str, opener: Opener, encoding: str) -> int:
    """``_scan`` for an encoding whose characters span several bytes (UTF-16): decoded
    incrementally, block by block, counting the decoded newlines."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    ends_line = True
    with opener() as f:
        while True:
            block = f.read(_BLOCK)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError:
                raise DecodeFailed(f"the bytes are not valid {encoding}", path=path, line=lines + 1) from None
            lines += text.count("\n")
            if text:
                ends_line = text.endswith("\n")
            if not block:
                break
    return lines + (0 if ends_line else 1)


def _head(opener: Opener, encoding: str, size: int = 64 * 1024) -> str:
    with io.TextIOWrapper(opener(), encoding=encoding, newline="") as f:
        return f.read(size)


def _guess_delimiter(head: str) -> str:
    header = next((line for line in head.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _guess_decimal(head: str, delimiter: str) -> str:
    # Only whole lines of the sample: a line cut in the middle could look like anything.
    lines = head.splitlines()[1:201]
    if len(head) >= 64 * 1024:
        lines = lines[:-1]
    comma = dot = 0
    for cells in csv.reader(lines, delimiter=delimiter):
        for cell in cells:
            cell = cell.strip()
            if _COMMA_NUMBER.fullmatch(cell):
                comma += 1
            elif _DOT_NUMBER.fullmatch(cell):
                dot += 1
    if comma or dot:
        return "," if comma > dot else "."
    return "," if delimiter != "," else "."


def _detect_xlsx(path: str, opener: Opener, sheet: str | None, decimal: str | None, file: Path | None) -> Dialect:
    _check_zip(path, opener)
    workbook = _open_workbook(path, opener, file, data_only=True)
    try:
        names = workbook.sheetnames
        if sheet is None:
            name = names[0]
        elif sheet in names:
            name = sheet
        else:
            raise InvalidInput(f"{path}: no sheet {sheet!r} (sheets: {', '.join(names)})")
        rows = workbook[name].max_row or 0
    finally:
        workbook.close()
    return Dialect("xlsx", None, None, decimal or ".", name, rows)


def _check_zip(path: str, opener: Opener) -> None:
    """Refuse a workbook whose parts would unpack to more than ``MAX_XLSX_UNCOMPRESSED`` (a zip bomb)."""
    with opener() as f:
        try:
            with zipfile.ZipFile(f) as archive:
                parts = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InvalidInput(f"{path}: not a readable .xlsx file ({exc})") from None
    total = sum(part.file_size for part in parts)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise InvalidInput(
            f"{path}: the workbook unpacks to {total // 2**20} MB, "
            f"more than the {MAX_XLSX_UNCOMPRESSED // 2**20} MB allowed"
        )
    for part in parts:
        if part.file_size > 1_000_000 and part.file_size > MAX_XLSX_RATIO * max(part.compress_size, 1):
            raise InvalidInput(
                f"{path}: the workbook part {part.filename} is compressed suspiciously well (a zip bomb?)"
            )


def _open_workbook(path: str, opener: Opener, file: Path | None, *, data_only: bool) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(file if file is not None else opener(), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: not a readable .xlsx file ({exc})") from None


def row_batches(table: Table, size: int = 65_536) -> Iterator[tuple[list[int], Rows]]:
    """``(line, cells)`` for every row, the header included, streamed ``size`` at a time as
    ``(lines, cells)`` of equal length: ``cells`` a list of rows, or ``ColumnRows``.

    CSV cells are strings. XLSX cells are what the workbook holds (str, int, float, date,
    None); a formula whose result was never saved raises ``InvalidInput`` with its cell.
    Batches let the importer check a whole column with a few C-level operations. A file that
    cannot be read on raises after the rows before the bad one have been yielded.

    A CSV file is cut at C speed while its blocks are plain (``_plain_blocks``), then read by
    the ``csv`` module from the first block that is not, each row once.
    """
    dialect = table.dialect
    if dialect.format == "xlsx":
        lines: list[int] = []
        cells: list[list[Cell]] = []
        try:
            for line, row in _xlsx_rows(table):
                lines.append(line)
                cells.append(row)
                if len(cells) >= size:
                    yield lines, cells
                    lines, cells = [], []
        except InvalidInput:
            if cells:
                yield lines, cells
            raise
        if cells:
            yield lines, cells
        return
    done = 0
    if _can_cut(dialect):
        for lines, block in _plain_blocks(table, size):
            if block is None:
                break
            done += len(lines)
            yield lines, block
        else:
            return
    yield from _csv_batches(table, size, done)


# Encodings in which every byte below 0x80 is that ASCII character and no other character's
# bytes include one: a delimiter, newline or quote byte is that character.
_ASCII_SAFE = frozenset({"utf-8", "utf-8-sig", "cp1252", "iso8859-1", "ascii"})
_FIRST_BLOCK = 64 * 1024  # small: the head of a file is often all that is wanted


def _can_cut(dialect: Dialect) -> bool:
    assert dialect.encoding is not None and dialect.delimiter is not None
    return codecs.lookup(dialect.encoding).name in _ASCII_SAFE and dialect.delimiter.isascii()


def _plain_blocks(table: Table, size: int) -> Iterator[tuple[list[int], ColumnRows | None]]:
    """A CSV file's rows as ``ColumnRows``, ``size`` at a time, while it is plain, then ``None`` once.

    A block of whole lines is plain when it holds no quote, NUL or carriage return (other than
    in a Windows line end), every line has the same number of delimiters (at least one) and no
    line is longer than the ``csv`` module allows a field. Then each line is one row, and cutting
    it at every delimiter gives exactly the ``csv`` module's cells (what
    ``tests/io/test_plain_blocks.py`` checks), with one ``str.split`` for the whole block instead
    of a list made per row.
    """
    import numpy as np  # here: the small commands that read a CSV file start without it

    dialect = table.dialect
    assert dialect.encoding is not None and dialect.delimiter is not None
    delimiter = dialect.delimiter
    code = ord(delimiter)
    decoder = codecs.getincrementaldecoder(dialect.encoding)()
    limit = csv.field_size_limit()
    line = 0
    carry = b""
    with table.opener() as f:
        want = _FIRST_BLOCK
        while True:
            data = f.read(want)
            want = _BLOCK
            block = carry + data
            if data:
                cut = block.rfind(b"\n") + 1
                block, carry = block[:cut], block[cut:]
                if not block:  # a line longer than a block: read on, unless it is too long to be plain
                    if len(carry) > limit:
                        yield [], None
                        return
                    want = len(carry) + _BLOCK
                    continue
            elif not block:
                return
            elif not block.endswith(b"\n"):
                block += b"\n"  # the last line, without its newline
            if b"\r" in block and block.count(b"\r") == block.count(b"\r\n"):
                block = block.replace(b"\r\n", b"\n")  # Windows line ends, as Excel writes them
            if b'"' in block or b"\r" in block or b"\x00" in block:
                yield [], None
                return
            raw = np.frombuffer(block, dtype=np.uint8)
            ends = (raw == 10) | (raw == code)
            stops = np.flatnonzero(ends)
            newlines = stops[raw[stops] == 10]
            width = len(stops) // len(newlines)
            if (
                width < 2
                or len(stops) != width * len(newlines)
                or not (raw[stops[width - 1 :: width]] == 10).all()
                or int(np.diff(newlines, prepend=-1).max()) > limit
            ):
                yield [], None
                return
            try:
                text = decoder.decode(block, final=not data)
            except UnicodeDecodeError:  # _scan has checked the bytes; only a file changed meanwhile gets here
                raise InvalidInput("changed while it was read", path=table.name) from None
            cells = text[:-1].replace("\n", delimiter).split(delimiter)
            rows = len(newlines)
            for start in range(0, rows, size):
                stop = min(start + size, rows)
                part = ColumnRows([cells[start * width + j : stop * width : width] for j in range(width)])
                yield list(range(line + start + 1, line + stop + 1)), part
            line += rows
            del cells, text, raw
            if not data:
                return


def _csv_batches(table: Table, size: int, skip: int) -> Iterator[tuple[list[int], Rows]]:
    """``row_batches`` by the ``csv`` module, from row ``skip`` on."""
    dialect = table.dialect
    assert dialect.encoding is not None and dialect.delimiter is not None
    done = skip
    with io.TextIOWrapper(table.opener(), encoding=dialect.encoding, newline="") as f:
        reader = csv.reader(f, delimiter=dialect.delimiter, strict=True)
        collections.deque(itertools.islice(reader, skip), maxlen=0)
        while True:
            before = reader.line_num
            try:
                cells = list(itertools.islice(reader, size))
            except (csv.Error, UnicodeDecodeError):
                break
            if reader.line_num - before != len(cells):
                break  # a quoted field spans lines: line numbers row by row from here
            if not cells:
                return
            # One line per row: the rows' lines follow from the reader's count at the end.
            done += len(cells)
            yield list(range(before + 1, reader.line_num + 1)), cells
            del cells  # before the next batch is read
    yield from _careful_batches(table, size, done)


def _careful_batches(table: Table, size: int, skip: int) -> Iterator[tuple[list[int], Rows]]:
    """``row_batches`` from row ``skip`` on, the line of each row taken as it is read.

    Used once a batch read at full speed turns out to hold a row spanning lines or a line that
    cannot be read: the file is opened again and that batch read row by row, so every line
    number and message is exact.
    """
    path, dialect = table.name, table.dialect
    assert dialect.delimiter is not None
    with io.TextIOWrapper(table.opener(), encoding=dialect.encoding, newline="") as f:
        reader = csv.reader(f, delimiter=dialect.delimiter, strict=True)
        collections.deque(itertools.islice(reader, skip), maxlen=0)
        while True:
            lines: list[int] = []
            cells: list[list[Cell]] = []
            line_append, cell_append = lines.append, cells.append
            try:
                for row in reader:
                    cell_append(row)
                    line_append(reader.line_num)
                    if len(lines) >= size:
                        break
            except csv.Error as exc:
                if cells:
                    yield lines, cells
                raise InvalidInput(f"malformed line ({exc})", path=path, line=reader.line_num) from None
            except UnicodeDecodeError:  # _scan has checked the bytes; only a file changed meanwhile gets here
                if cells:
                    yield lines, cells
                raise InvalidInput("changed while it was read", path=path) from None
            if not cells:
                return
            yield lines, cells


def _xlsx_rows(table: Table) -> Iterator[tuple[int, list[Cell]]]:
    path, dialect = table.name, table.dialect
    values = _open_workbook(path, table.opener, table.path, data_only=True)
    formulas = _open_workbook(path, table.opener, table.path, data_only=False)
    try:
        sheet_values = values[dialect.sheet].iter_rows(values_only=True)
        sheet_formulas = formulas[dialect.sheet].iter_rows(values_only=True)
        for line, (cached, written) in enumerate(zip(sheet_values, sheet_formulas), start=1):
            if line > MAX_XLSX_ROWS:
                raise InvalidInput(f"more than {MAX_XLSX_ROWS} rows", path=path, line=line)
            if len(cached) > MAX_XLSX_COLUMNS:
                raise InvalidInput(f"more than {MAX_XLSX_COLUMNS} columns", path=path, line=line)
            cells = list(cached)
            for i, cell in enumerate(cells):
                if cell is None and isinstance(written[i], str) and written[i].startswith("="):
                    from openpyxl.utils import get_column_letter

                    raise InvalidInput(
                        f"cell {get_column_letter(i + 1)}{line} has the formula {written[i]} "
                        "but no saved result; open the file in Excel and save it",
                        path=path,
                        line=line,
                    )
                if isinstance(cell, dt.datetime):
                    cells[i] = cell.date().isoformat()
                elif isinstance(cell, dt.date):
                    cells[i] = cell.isoformat()
            yield line, cells
    finally:
        values.close()
        formulas.close()


def with_lines(dialect: Dialect, lines: int) -> Dialect:
    return replace(dialect, lines=lines)
