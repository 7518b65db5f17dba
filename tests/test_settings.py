"""Production settings: no start without a proper SECRET_KEY, a clean `check --deploy`, __Host-
cookies, and a Content-Security-Policy on every page.

The settings are read once per process, so each configuration is started in a subprocess with its
own environment, the way a server would start.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings

# Cleared from the inherited environment so each test states the configuration it starts.
SETTINGS_UNDER_TEST = {
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_IDLE_SECONDS",
    # Set by tests/browser/conftest.py for Playwright; a deployment must not have it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name) for name in ["
    "'DEBUG', 'SESSION_COOKIE_NAME', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_PATH', "
    "'SESSION_COOKIE_DOMAIN', 'SESSION_COOKIE_AGE', 'CSRF_COOKIE_NAME', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_PATH', "
    "'CSRF_COOKIE_DOMAIN']}))"
)


def _database_url() -> str:
    """The database this test run uses (the server, not pytest-django's test_ copy)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    db = settings.DATABASES["default"]
    name = db["NAME"].removeprefix("test_")
    return f"postgres://{quote(db['USER'] or '')}@{quote(db['HOST'] or '', safe='')}:{db['PORT'] or 5432}/{name}"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS_UNDER_TEST}
    environment.update(DATABASE_URL=_database_url(), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _secret_key(length: int) -> str:
    return secrets.token_urlsafe(length)[:length]


def test_without_debug_a_missing_secret_key_stops_the_app():
    result = _manage("check", DEBUG="0", DJANGO_SETTINGS_MODULE="earlyhelp.settings.base")

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY (50 characters or more) when DEBUG=0." in result.stderr


def test_without_debug_a_short_secret_key_stops_the_app():
    result = _manage("check", DEBUG="0", SECRET_KEY=_secret_key(49), DJANGO_SETTINGS_MODULE="earlyhelp.settings.base")

    assert result.returncode != 0
    assert "Set SECRET_KEY (50 characters or more) when DEBUG=0." in result.stderr


def test_production_settings_turn_debug_off_whatever_the_environment_says():
    result = _manage("check", DEBUG="1", DJANGO_SETTINGS_MODULE="earlyhelp.settings.production")

    assert result.returncode != 0
    assert "Set SECRET_KEY (50 characters or more) when DEBUG=0." in result.stderr


def test_deploy_check_passes_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=_secret_key(60),
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="earlyhelp.settings.base",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_host_only_secure_and_http_only():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        PRINT_SETTINGS,
        SECRET_KEY=_secret_key(60),
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="earlyhelp.settings.production",
    )

    assert result.returncode == 0, result.stderr
    # __Host- cookies must be Secure, on Path=/ and without a Domain, or browsers drop them.
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "DEBUG": False,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_AGE": 30 * 60,
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_PATH": "/",
        "CSRF_COOKIE_DOMAIN": None,
    }


def test_pages_carry_a_content_security_policy_with_the_page_nonce(client, db):
    response = client.get("/accounts/sign-in/")

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])[1]
    # The only inline script (the js-enabled class) runs because it carries the same nonce.
    assert f'<script nonce="{nonce}">' in response.content.decode()
