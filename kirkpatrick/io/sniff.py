"""How a measurement file is written: format, encoding, delimiter, decimal mark.

Survey tools and Swedish Excel write ``;``-separated files with decimal commas in Windows-1252;
others write UTF-8 (with or without BOM) with ``,`` or tabs. ``detect`` works these out from the
file itself; every setting can be overridden. ``rows`` then streams the file as lists of cells
with their line numbers, never holding the whole file in memory.
"""

from __future__ import annotations

import codecs
import collections
import csv
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kirkpatrick.domain.errors import InvalidInput

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_BLOCK = 1 << 20
_COMMA_NUMBER = re.compile(r"-?\d+,\d+")
_DOT_NUMBER = re.compile(r"-?\d+\.\d+")
# A cell is one of these: text from a CSV, or what openpyxl gives for an xlsx cell.
Cell = Any


@dataclass(frozen=True)
class Dialect:
    """The settings a file is read with (detected, or given by the user)."""

    format: str  # "csv" or "xlsx"
    encoding: str | None = None  # csv only
    delimiter: str | None = None  # csv only
    decimal: str = "."
    sheet: str | None = None  # xlsx only
    lines: int = 0  # physical lines (csv) or rows (xlsx), for a progress bar

    def describe(self) -> str:
        """One line for the user, e.g. ``csv, cp1252, delimiter ';', decimal comma``."""
        if self.format == "xlsx":
            return f"xlsx, sheet {self.sheet!r}"
        assert self.delimiter is not None
        decimal = "decimal comma" if self.decimal == "," else "decimal point"
        return f"csv, {self.encoding}, delimiter {DELIMITERS.get(self.delimiter, repr(self.delimiter))}, {decimal}"


class DecodeFailed(InvalidInput):
    """Bytes that are not valid in the file's encoding."""


def detect(
    path: Path,
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Dialect:
    """Work out how ``path`` is written; the keyword arguments, where given, win over detection.

    Raises ``InvalidInput`` for an unreadable file, an unknown encoding, or bytes that cannot be
    decoded (naming file and line).
    """
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(f"{path}: unsupported file type {path.suffix or '(none)'!r} (use .csv, .tsv or .xlsx)")
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if decimal is not None and decimal not in (",", "."):
        raise InvalidInput(f"decimal mark must be ',' or '.', not {decimal!r}")
    if kind == "xlsx":
        return _detect_xlsx(path, sheet, decimal)
    if delimiter is not None:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise InvalidInput(f"delimiter must be one character, not {delimiter!r}")
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput(f"unknown encoding {encoding!r} (e.g. utf-8, cp1252)") from None
        lines = _scan(path, encoding, named=True)
    else:
        with path.open("rb") as f:
            bom = f.read(3) == codecs.BOM_UTF8
        try:
            lines = _scan(path, "utf-8")
            encoding = "utf-8-sig" if bom else "utf-8"
        except DecodeFailed:
            # Not UTF-8: Windows-1252 is what Swedish Excel writes ("CSV (semikolonavgränsad)").
            encoding = "cp1252"
            lines = _scan(path, encoding)
    head = _head(path, encoding)
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else _guess_delimiter(head)
    if decimal is None:
        decimal = _guess_decimal(head, delimiter)
    return Dialect("csv", encoding, delimiter, decimal, None, lines)


def _scan(path: Path, encoding: str, *, named: bool = False) -> int:
    """Decode the whole file block by block (memory stays bounded) and count its lines.

    Blocks are cut after a newline byte, which never occurs inside a character in the
    encodings we read (UTF-8, Windows-1252, Latin-1), so the line of a bad byte is exact.
    """
    lines = 0
    carry = b""
    with path.open("rb") as f:
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
                    f"{path}:{line}: byte 0x{byte} is not valid {encoding}; {hint} (e.g. utf-8, cp1252)"
                ) from None
            lines += part.count(b"\n")
            if not block:
                break
    return lines + (1 if carry else 0)


def _head(path: Path, encoding: str, size: int = 64 * 1024) -> str:
    with path.open("r", encoding=encoding, newline="") as f:
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


def _detect_xlsx(path: Path, sheet: str | None, decimal: str | None) -> Dialect:
    workbook = _open_workbook(path, data_only=True)
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


def _open_workbook(path: Path, *, data_only: bool) -> Any:
    import zipfile

    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: not a readable .xlsx file ({exc})") from None


def rows(path: Path, dialect: Dialect) -> Iterator[tuple[int, list[Cell]]]:
    """``(line, cells)`` for every row, the header included, streamed.

    CSV cells are strings. XLSX cells are what the workbook holds (str, int, float, date,
    None); a formula whose result was never saved raises ``InvalidInput`` with its cell.
    """
    for lines, cells in row_batches(path, dialect):
        yield from zip(lines, cells)


def row_batches(path: Path, dialect: Dialect, size: int = 65_536) -> Iterator[tuple[list[int], list[list[Cell]]]]:
    """The rows of ``rows``, ``size`` at a time: ``(lines, cells)``, two lists of equal length.

    Batches let the importer check a whole column with a few C-level operations. A file that
    cannot be read on raises after the rows before the bad one have been yielded.
    """
    if dialect.format == "xlsx":
        lines: list[int] = []
        cells: list[list[Cell]] = []
        try:
            for line, row in _xlsx_rows(path, dialect):
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
    assert dialect.encoding is not None and dialect.delimiter is not None
    done = 0
    with path.open("r", encoding=dialect.encoding, newline="") as f:
        reader = csv.reader(f, delimiter=dialect.delimiter, strict=True)
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
    yield from _careful_batches(path, dialect, size, done)


def _careful_batches(
    path: Path, dialect: Dialect, size: int, skip: int
) -> Iterator[tuple[list[int], list[list[Cell]]]]:
    """``row_batches`` from row ``skip`` on, the line of each row taken as it is read.

    Used once a batch read at full speed turns out to hold a row spanning lines or a line that
    cannot be read: the file is opened again and that batch read row by row, so every line
    number and message is exact.
    """
    assert dialect.delimiter is not None
    with path.open("r", encoding=dialect.encoding, newline="") as f:
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
                raise InvalidInput(f"{path}:{reader.line_num}: malformed line ({exc})") from None
            except UnicodeDecodeError:  # _scan has checked the bytes; only a file changed meanwhile gets here
                if cells:
                    yield lines, cells
                raise InvalidInput(f"{path}: changed while it was read") from None
            if not cells:
                return
            yield lines, cells


def _xlsx_rows(path: Path, dialect: Dialect) -> Iterator[tuple[int, list[Cell]]]:
    values = _open_workbook(path, data_only=True)
    formulas = _open_workbook(path, data_only=False)
    try:
        sheet_values = values[dialect.sheet].iter_rows(values_only=True)
        sheet_formulas = formulas[dialect.sheet].iter_rows(values_only=True)
        for line, (cached, written) in enumerate(zip(sheet_values, sheet_formulas), start=1):
            cells = list(cached)
            for i, cell in enumerate(cells):
                if cell is None and isinstance(written[i], str) and written[i].startswith("="):
                    from openpyxl.utils import get_column_letter

                    raise InvalidInput(
                        f"{path}:{line}: cell {get_column_letter(i + 1)}{line} has the formula {written[i]} "
                        "but no saved result; open the file in Excel and save it"
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
