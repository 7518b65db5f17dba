"""Headless Chromium for the browser tests: Debian's package where installed, else Playwright's
own browser. CI must have one: there a missing browser fails the run instead of skipping it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
# with a running loop unless told the calls are deliberate (the tests' own setup and assertions).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


def pytest_configure(config):
    # pytest-xdist registers this marker; with `-p no:xdist` --strict-markers would reject it.
    config.addinivalue_line("markers", "xdist_group(name): run these tests in one xdist worker")


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None


def launch_chromium(playwright, executable: str | None):
    """Chromium at `executable`; without one, fail on CI and elsewhere try Playwright's browser."""
    if executable:
        return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    if os.environ.get("CI") == "true":
        pytest.fail(
            "No Chromium for the browser tests: looked for `chromium` on PATH and /usr/bin/chromium. "
            "CI must run them: install Debian's chromium package.",
            pytrace=False,
        )
    try:
        return playwright.chromium.launch(args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        pytest.skip(f"No Chromium installed and no Playwright browser either ({error.message.splitlines()[0]})")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, chromium_path())
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
