"""Every sentence of the demo's reports is fully formatted: no placeholder left, singular and
plural right."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from kirkpatrick.demo.steps import run_demo


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("demo") / "out"
    run = run_demo(out, lambda _line: None)
    return {p.name: p.read_text(encoding="utf-8") for p in run.written if p.suffix == ".html"}


def test_no_unformatted_placeholder_in_any_report(demo_reports: dict[str, str]) -> None:
    assert len(demo_reports) == 10  # three interventions, the portfolio and the contract follow-up, in sv and en
    for name, html in demo_reports.items():
        text = BeautifulSoup(html, "html.parser").get_text(" ")
        assert not re.search(r"%\(\w+\)[sd]|\{\{|\{%", text), name


def test_session_spacing_singular_and_plural(demo_reports: dict[str, str]) -> None:
    course = BeautifulSoup(demo_reports["VBY-KURS-2025-en.html"], "html.parser").get_text(" ")
    programme = BeautifulSoup(demo_reports["NRB-LG-2024-sv.html"], "html.parser").get_text(" ")
    assert "2 sessions, 1 day apart" in course  # one gap: no average
    assert "20 träffar, i genomsnitt 35 dagar mellan träffarna" in programme
