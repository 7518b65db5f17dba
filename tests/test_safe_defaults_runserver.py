"""`make run` serves with runserver, which opens a thread for each client connection. A database
connection belongs to the thread that opened it, so with connections kept (CONN_MAX_AGE) every
finished thread left one open, until PostgreSQL refused new clients and every page was a 500. The
development settings must not leak them.

The server runs as `make run` starts it, with the development settings, against this run's test
database; its connections carry an application name of their own to be counted."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

REQUESTS = 40
# The server may hold one connection while it answers; none should be left per finished client.
MOST_CONNECTIONS = 2
# The settings under test come from the development module, not from this process's environment.
CLEARED = {"DJANGO_SETTINGS_MODULE", "DEBUG", "CONN_MAX_AGE", "ALLOWED_HOSTS", "SECURE_COOKIES", "SECURE_SSL_REDIRECT"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return (
        f"postgres://{quote(db['USER'] or '', safe='')}{password}@{quote(db['HOST'] or '', safe='')}{port}/{db['NAME']}"
    )


def _get(port: int, path: str, cookie: str = "") -> int:
    """One request on a connection of its own, as a browser opening a new one."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        client.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = client.getresponse()
        response.read()
        return response.status
    finally:
        client.close()


def _backends(application_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name])
        return cursor.fetchone()[0]


@pytest.fixture
def development_server(transactional_db, tmp_path):
    port = _free_port()
    application_name = f"runserver-test-{secrets.token_hex(4)}"
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE="earlyhelp.settings.development",
        DATABASE_URL=_test_database_url(),
        # The session made by this process is signed with its key.
        SECRET_KEY=settings.SECRET_KEY,
        # libpq names the server's connections, so they can be told from this process's own.
        PGAPPNAME=application_name,
    )
    log = (tmp_path / "runserver.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "runserver.log").read_text()
                assert time.monotonic() < deadline, "runserver did not start"
                time.sleep(0.2)
        yield port, application_name
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def test_runserver_keeps_no_database_connection_per_finished_client(development_server, world):
    port, application_name = development_server
    client = Client()
    client.force_login(world.lead)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    # The home page reads the session and the user from the database.
    statuses = [_get(port, "/", cookie) for _ in range(REQUESTS)]

    assert statuses == [200] * REQUESTS
    # A closed connection's backend ends a moment after the client has gone.
    deadline = time.monotonic() + 5
    while _backends(application_name) > MOST_CONNECTIONS and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _backends(application_name) <= MOST_CONNECTIONS
