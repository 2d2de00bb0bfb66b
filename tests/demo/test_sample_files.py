"""The shipped sample files are what the demo's generator writes (one generator, no hand edits)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from kirkpatrick.demo.sample import write_sample_files

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_generator_writes_the_shipped_sample_files(tmp_path: Path) -> None:
    write_sample_files(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in SAMPLE.iterdir() if p.name not in ("README.md", "imports.csv"))
    for name in written:
        if name.endswith(".csv"):
            assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name
    made, shipped = (load_workbook(p / "kurs_utvardering.xlsx").active for p in (tmp_path, SAMPLE))
    assert made is not None and shipped is not None
    assert list(made.values) == list(shipped.values)
