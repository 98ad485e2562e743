"""End-to-end tests: a real portal server on 127.0.0.1 driven by Debian's Chromium through Playwright.

Without Chromium at :data:`CHROMIUM` the tests are skipped, except under CI (``CI`` set),
where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS_ENV = "MATCHWEEK_SCREENSHOTS"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives a real browser against a running portal server")


@pytest.fixture(scope="session")
def chromium_launch() -> dict[str, object]:
    """Playwright's launch options for Debian's Chromium, headless."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM} under CI")
        pytest.skip(f"Chromium is missing at {CHROMIUM}")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def screenshot_folder() -> Path:
    """Where the browser test saves its screenshots: ``MATCHWEEK_SCREENSHOTS`` or tests/e2e/screenshots."""
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or Path(__file__).parent / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
