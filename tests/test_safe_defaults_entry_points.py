"""Safe defaults: a server, worker or command started without a settings module gets the production
settings (DEBUG off whatever the environment says, so no start without a SECRET_KEY); the base
settings are as safe on their own; the benchmark app is installed only for development and tests.

Each configuration starts in a process of its own, with only the environment it states."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

CLEARED = {
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CONN_MAX_AGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
REFUSAL = "Set SECRET_KEY (50 characters or more) when DEBUG=0."
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'DEBUG': s.DEBUG, 'bench': 'bench' in s.INSTALLED_APPS, "
    "'CONN_MAX_AGE': s.DATABASES['default']['CONN_MAX_AGE']}))"
)


def _python(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in CLEARED}
    environment.setdefault("DATABASE_URL", "postgres://unused@127.0.0.1/unused")
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(**env: str) -> dict:
    result = _python("-c", PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "entry_point",
    [
        ("manage.py", "check"),
        ("-c", "import earlyhelp.wsgi"),
        ("-c", "import earlyhelp.asgi"),
        # The Celery app reads Django's settings when its configuration is first used.
        ("-c", "from earlyhelp.celery import app; app.conf.broker_url"),
    ],
    ids=["manage.py", "wsgi", "asgi", "celery"],
)
def test_an_entry_point_without_a_settings_module_starts_with_production_settings(entry_point):
    # DEBUG=1 in the environment: the production settings turn it off all the same.
    result = _python(*entry_point, DEBUG="1")

    assert result.returncode != 0
    assert REFUSAL in result.stderr


def test_the_production_settings_install_no_benchmark_app():
    production = _settings(
        DJANGO_SETTINGS_MODULE="earlyhelp.settings.production", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="x"
    )

    assert production == {"DEBUG": False, "bench": False, "CONN_MAX_AGE": 600}


def test_the_base_settings_alone_are_safe():
    without_key = _python("-c", PRINT_SETTINGS, DJANGO_SETTINGS_MODULE="earlyhelp.settings.base")
    base = _settings(DJANGO_SETTINGS_MODULE="earlyhelp.settings.base", SECRET_KEY=secrets.token_urlsafe(64))

    assert REFUSAL in without_key.stderr
    assert base == {"DEBUG": False, "bench": False, "CONN_MAX_AGE": 600}


def test_the_development_settings_debug_install_the_benchmark_and_keep_no_connections():
    development = _settings(DJANGO_SETTINGS_MODULE="earlyhelp.settings.development")

    assert development == {"DEBUG": True, "bench": True, "CONN_MAX_AGE": 0}


def test_checking_the_models_against_the_migrations_needs_no_secret():
    """`manage.py makemigrations --check` reads only the code: with no settings module and no
    SECRET_KEY it runs (on the development settings) and finds every model change migrated."""
    result = _python("manage.py", "makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
