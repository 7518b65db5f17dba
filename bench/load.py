"""The load test: gunicorn serving the benchmark database on loopback, locust (headless) driving a
mixed, signed-in workload. Two runs: 50 concurrent users flat out for throughput, then the same
users paced to 50 requests per second between them for latency. Traffic goes to 127.0.0.1 only and
stops by itself."""

from __future__ import annotations

import csv
import itertools
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import global_settings
from django.utils.module_loading import import_string

from bench.management.commands.generate_dataset import BENCH_PASSWORD
from cases.models import User

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
USERS = 50
# The latency run: the same users, each paced so that together they ask this many pages a second.
PACED_RPS = 50
# A working day's mix of the USERS, role by role (the prefix of their bench usernames): duty managers
# on the queue and triage, lead professionals and partners on their cases, team managers and
# analysts on their overviews, panel coordinators on their waiting lists and meetings.
MIX = {"duty": 8, "lead": 17, "school": 14, "manager": 5, "analyst": 3, "panel": 3}
# A run is timed from the last user's sign-in; signing everyone in may take this long at most.
SIGN_IN_SECONDS = 600


def _database_url(db: dict) -> str:
    host = quote(db["HOST"], safe="") if db["HOST"].startswith("/") else db["HOST"]
    port = f":{db['PORT']}" if db.get("PORT") else ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}{port}/{db['NAME']}"


def _start_server(database: dict) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=_database_url(database),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY="bench-only-" + "k" * 50,
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        AXES_FAILURE_LIMIT="1000000",
        DJANGO_SETTINGS_MODULE="earlyhelp.settings.production",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "earlyhelp.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            # Two processes a core: one runs while the other waits for the database. Processes
            # rather than threads, because Python runs one thread at a time in a process.
            "--workers",
            str(2 * (os.cpu_count() or 2)),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)  # noqa: S310 (loopback)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _locust(users: int, seconds: int, rate_per_user: float, usernames: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        prefix = str(Path(folder) / "stats")
        report = Path(folder) / "report.json"
        env = dict(
            os.environ,
            BENCH_USERS=",".join(usernames),
            BENCH_RATE_PER_USER=str(rate_per_user),
            BENCH_SECONDS=str(seconds),
            BENCH_REPORT=str(report),
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds + SIGN_IN_SECONDS}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            timeout=seconds + SIGN_IN_SECONDS + 120,
        )
        with open(f"{prefix}_stats.csv") as handle:
            total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
        sign_ins = json.loads(report.read_text()) if report.exists() else {"sign_ins": 0, "sign_in_failures": users}
    if sign_ins["sign_ins"] < users:
        raise RuntimeError(f"only {sign_ins['sign_ins']} of {users} users signed in")
    if sign_ins.get("sign_in_failure_reasons"):
        logger.warning("load: sign-ins that failed, by reason: %s", sign_ins["sign_in_failure_reasons"])
    return {
        "rps": float(total["Requests/s"]),
        # Failed sign-ins happened before the statistics restarted; they count all the same.
        "errors": int(total["Failure Count"]) + sign_ins["sign_in_failures"],
        "requests": int(total["Request Count"]),
        "p95_ms": float(total["95%"]),
    }


def passwords_for_production(usernames: list[str]) -> None:
    """The users sign in to a server with production settings, which checks passwords with Django's
    default hashers: a county generated under test settings has them hashed by a test-only one."""
    hasher = import_string(global_settings.PASSWORD_HASHERS[0])()
    User.objects.filter(username__in=usernames).exclude(password__startswith=f"{hasher.algorithm}$").update(
        password=hasher.encode(BENCH_PASSWORD, hasher.salt())
    )


def run_load(*, seconds: int, database: dict) -> dict:
    by_role = {
        prefix: list(
            User.objects.filter(username__startswith=f"bench.{prefix}")
            .order_by("id")
            .values_list("username", flat=True)[:count]
        )
        for prefix, count in MIX.items()
    }
    usernames = [name for turn in itertools.zip_longest(*by_role.values()) for name in turn if name]
    passwords_for_production(usernames)
    server = _start_server(database)
    try:
        flat_out = _locust(USERS, seconds, 0, usernames)
        paced = _locust(USERS, max(60, seconds // 2), PACED_RPS / USERS, usernames)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    logger.info(  # the figures behind the three that are kept
        "load: flat out %.1f requests/s, p95 %.0f ms; paced %.1f requests/s, p95 %.0f ms; errors %s and %s",
        *(flat_out["rps"], flat_out["p95_ms"], paced["rps"], paced["p95_ms"], flat_out["errors"], paced["errors"]),
    )
    return load_figures(flat_out, paced)


def load_figures(flat_out: dict, paced: dict) -> dict:
    """The figures the budgets hold: throughput flat out, errors of both runs, latency when paced."""
    return {
        "rps": round(flat_out["rps"], 1),
        "errors": flat_out["errors"] + paced["errors"],
        "p95_ms_at_50rps": paced["p95_ms"],
    }
