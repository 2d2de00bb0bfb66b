"""The built package carries its templates, sample data and migrations: the demo runs from
any folder with nothing but the installed files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT


def _installed_copy(tmp_path: Path) -> Path | None:
    """The site folder of a plain (non-editable) install of kirkpatrick in this interpreter, as
    scripts/test.sh makes it, or None when the package resolves to this source tree."""
    found = subprocess.run(
        [sys.executable, "-P", "-c", "import kirkpatrick; print(kirkpatrick.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        return None
    package = Path(found.stdout.strip()).parent
    return None if package.resolve().is_relative_to(ROOT) else package.parent


@pytest.mark.slow  # locally: a pip install of its own; CI tests the install scripts/test.sh made, quickly
def test_installed_package_runs_the_demo_from_elsewhere(tmp_path: Path) -> None:
    # scripts/test.sh installs the wheel into .venv once; test that copy. Run elsewhere (an editable
    # install, a bare checkout), build and install a copy here.
    target = _installed_copy(tmp_path)
    if target is None:
        target = tmp_path / "site"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--no-build-isolation",
                "--target",
                str(target),
                str(ROOT),
            ],
            check=True,
            capture_output=True,
            cwd=tmp_path,
        )
    installed = target / "kirkpatrick"
    for shipped in (
        "templates",
        "sample_data/measures.csv",
        "sample_data/kurs_utvardering.xlsx",
        "storage/migrations/script.py.mako",
    ):
        assert (installed / shipped).exists(), f"{shipped} is not in the installed package"
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "kirkpatrick", "demo", "--out", "out"], cwd=work, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "Imported 11 measures" in result.stdout
    assert (work / "out" / "kirkpatrick.db").exists()
    # The code that ran came from the installed copy, not from the source tree.
    check = subprocess.run(
        [sys.executable, "-c", "import kirkpatrick; print(kirkpatrick.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip().startswith(str(target))
