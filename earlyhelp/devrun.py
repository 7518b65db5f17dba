"""`make run`: migrate, load the demo data, then the web server, a Celery worker and Celery beat.

Runs inside `earlyhelp.devservices`, which provides DATABASE_URL and REDIS_URL. Ctrl-C stops all
three; the data stays in var/ for the next run. Every command runs with the development settings
(the entry points would otherwise choose production's).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")
SETTINGS = "earlyhelp.settings.development"


def _migrate_as_owner() -> None:
    """Migrate as the database's owner, then let everything else run as the application's role,
    granted what it needs by the owner (it may only add to and read the access log). devservices
    names both roles of the embedded database; with a DATABASE_URL of your own, it is used as it
    is, and DATABASE_OWNER_URL, when set, migrates and grants DATABASE_URL's role."""
    app_url = os.environ.get("DATABASE_APP_URL") or os.environ["DATABASE_URL"]
    owner_url = os.environ.get("DATABASE_OWNER_URL") or app_url
    as_owner = {**os.environ, "DATABASE_URL": owner_url}
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], env=as_owner, check=True)
    app_role, owner_role = (unquote(urlsplit(url).username or "") for url in (app_url, owner_url))
    if app_role != owner_role:
        subprocess.run([PY, "manage.py", "db_grant_app_role", app_role], env=as_owner, check=True)
    os.environ["DATABASE_URL"] = app_url


def main() -> int:
    os.chdir(ROOT)
    # Set, not defaulted: importing the project package has already defaulted it to production.
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    (ROOT / "var").mkdir(exist_ok=True)
    _migrate_as_owner()
    subprocess.run([PY, "manage.py", "load_demo_data"], check=True)
    procs = [
        subprocess.Popen([PY, "manage.py", "runserver", ADDRESS, "--noreload"]),
        subprocess.Popen(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "earlyhelp.celery",
                "worker",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "-n",
                "worker@%h",
            ]
        ),
        subprocess.Popen(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "earlyhelp.celery",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(ROOT / "var" / "celerybeat-schedule"),
            ]
        ),
    ]
    print(
        f"\nEarly Help is running on http://{ADDRESS}/\n"
        "Demo sign-ins (password demo-password-123): duty.manager, contact.officer, panel.coordinator, "
        "lead.professional, school.practitioner, team.manager, bridges.manager, manager.coordinator, "
        "duty.lead, analyst, admin (the README says who each is)\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(p.poll() is None for p in procs):
        time.sleep(0.5)
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
