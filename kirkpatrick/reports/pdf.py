"""PDF through headless Chromium: the report's print stylesheet applies, nothing is fetched."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kirkpatrick.domain.errors import KirkpatrickError

CHROMIUM_ENV = "KIRKPATRICK_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str:
    """The Chromium (or Chrome) executable used for PDF: ``$KIRKPATRICK_CHROMIUM``, else on PATH."""
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        if not os.access(override, os.X_OK):
            raise KirkpatrickError(f"${CHROMIUM_ENV} is {override!r}, which is not an executable Chromium")
        return override
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise KirkpatrickError(
        f"no Chromium found for --pdf (looked for {', '.join(CHROMIUM_NAMES)}); install it "
        f"(Debian: apt-get install chromium) or set {CHROMIUM_ENV}"
    )


def chromium_command(executable: str, profile: Path, *extra: str) -> list[str]:
    """A headless Chromium command line that fetches nothing and leaves nothing behind."""
    return [
        executable,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        *extra,
    ]


def html_to_pdf(html_path: Path, pdf_path: Path, *, runner: Callable[..., Any] = subprocess.run) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (the print stylesheet applies)."""
    executable = find_chromium()
    with tempfile.TemporaryDirectory(prefix="kirkpatrick-chromium-") as profile:
        cmd = chromium_command(
            executable,
            Path(profile),
            "--no-pdf-header-footer",
            "--export-tagged-pdf",  # headings, paragraphs and tables as PDF structure (PDF/UA, WCAG)
            f"--print-to-pdf={pdf_path.resolve()}",
            html_path.resolve().as_uri(),
        )
        result = runner(cmd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not pdf_path.exists():
        tail = (result.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise KirkpatrickError(f"Chromium could not write {pdf_path}: {tail[0]}")
