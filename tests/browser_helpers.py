"""Headless Chromium (Debian's) through Playwright, and where screenshots are kept."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("DAMRONGDHAM_CHROMIUM", "/usr/bin/chromium")
# Screenshots of each page, kept as test artefacts (ignored by git).
ARTIFACTS = Path(os.environ.get("DAMRONGDHAM_ARTIFACTS", Path(__file__).parent / "artifacts"))


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser (Playwright's sync API); closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: object, name: str) -> Path:
    """Save a full-page PNG of `page` as ``tests/artifacts/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
