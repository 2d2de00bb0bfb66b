"""Compiled templates and catalogues kept between runs: the same report as compiling afresh,
never a stale catalogue, and no cache in a folder others can write."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from report_fixtures import add_intervention, rng_pairs
from sqlalchemy import Engine

from kirkpatrick.reports import compiled
from kirkpatrick.reports import environment as i18n
from kirkpatrick.reports import intervention as reports
from kirkpatrick.services import analysis
from kirkpatrick.storage import db


def _forget() -> None:
    """As a new process starts: no environment, catalogue or cache folder known yet."""
    i18n.environment.cache_clear()
    i18n.translations.cache_clear()
    compiled.cache_dir.cache_clear()


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _forget()
    yield tmp_path / "cache" / "kirkpatrick"
    _forget()


def _report(engine: Engine, lang: str) -> str:
    with db.reading(engine) as s:
        return reports.render_intervention(analysis.analyse(s, "C-1"), lang)


def test_a_report_from_cached_templates_and_catalogue_equals_one_compiled_afresh(
    engine: Engine, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pre, post = rng_pairs(3, 12)
    cells = {("lf", "pre", "self"): pre, ("lf", "post", "self"): post}
    add_intervention(engine, "C-1", cells, n=12, quotes=[("Ett cleared citat", True), ("Ett hemligt", False)])
    first = {lang: _report(engine, lang) for lang in ("sv", "en")}  # compiles, and keeps
    kept = sorted(p.name for p in cache_home.rglob("*") if p.is_file())
    assert any(n.startswith("sv-") and n.endswith(".mo") for n in kept)
    assert sum(n.startswith("__jinja2_") for n in kept) >= 2
    _forget()
    # The catalogue and the templates must now come from the cache.
    monkeypatch.setattr(i18n, "babel_read_po", _refuse)
    monkeypatch.setattr(jinja2.Environment, "_parse", _refuse)
    again = {lang: _report(engine, lang) for lang in ("sv", "en")}
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home / "not-a-folder"))
    (cache_home / "not-a-folder").write_text("a file, so no cache folder can be made here")
    _forget()
    assert compiled.cache_dir() is None
    afresh = {lang: _report(engine, lang) for lang in ("sv", "en")}
    assert first == again == afresh
    assert "Före" in afresh["sv"]  # the catalogue was applied
    assert "Ett cleared citat" in afresh["sv"] and "hemligt" not in afresh["sv"]


def _refuse(*_: object, **__: object) -> None:
    raise AssertionError("a catalogue or template was parsed although its compiled form is kept")


def test_an_edited_catalogue_is_compiled_again(cache_home: Path, tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    calls: list[bytes] = []

    def compile_mo(data: bytes) -> bytes:
        calls.append(data)
        return b"mo:" + data

    po.write_bytes(b"one")
    assert compiled.compiled_catalogue(po, "sv", "1", compile_mo) == b"mo:one"
    assert compiled.compiled_catalogue(po, "sv", "1", compile_mo) == b"mo:one"
    assert calls == [b"one"]
    po.write_bytes(b"two")
    assert compiled.compiled_catalogue(po, "sv", "1", compile_mo) == b"mo:two"
    assert compiled.compiled_catalogue(po, "sv", "2", compile_mo) == b"mo:two"  # another compiler
    assert calls == [b"one", b"two", b"two"]


def test_no_cache_in_a_folder_others_can_write(cache_home: Path) -> None:
    assert compiled.cache_dir() == cache_home
    assert compiled.template_cache({"autoescape": True}) is not None
    os.chmod(cache_home, 0o777)
    _forget()
    assert compiled.cache_dir() is None
    assert compiled.template_cache({"autoescape": True}) is None
