"""Which settings each command runs with. The entry points default to production settings, and
importing the project package loads the Celery app, which does the same for the process and every
command it starts (`python -m earlyhelp.devservices` included). So each development command names
its settings module itself: once, the whole suite ran with another module's password hashing,
twenty times slower."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRODUCTION = "earlyhelp.settings.production"
DEVELOPMENT = "earlyhelp.settings.development"
TEST = "earlyhelp.settings.test"

# A stand-in for .venv/bin/python: it records the settings module each command would run with (its
# --settings/--ds option, or the environment's), and runs the service wrapper's command directly.
FAKE_PYTHON = """#!/bin/bash
if [ "$1" = "-m" ] && [ "$2" = "earlyhelp.devservices" ]; then shift 3; exec "$@"; fi
chosen="$DJANGO_SETTINGS_MODULE"
for arg in "$@"; do
  case "$arg" in --settings=*|--ds=*) chosen="${arg#*=}";; esac
done
printf '%s %s\\n' "$chosen" "$*" >> "$COMMAND_LOG"
"""


def test_importing_the_project_package_defaults_to_production_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}

    result = subprocess.run(
        [sys.executable, "-c", "import os, earlyhelp; print(os.environ['DJANGO_SETTINGS_MODULE'])"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == PRODUCTION


def _make(tmp_path: Path, *targets: str) -> list[tuple[str, str]]:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for name, body in {"python": FAKE_PYTHON, "ruff": "#!/bin/sh\n"}.items():
        path = venv / "bin" / name
        path.write_text(body)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    (venv / ".installed").touch()  # newer than the locks: nothing is installed
    log = tmp_path / "commands.log"
    log.touch()
    # As the real service wrapper passes it on: the production default the package import set. An
    # outer make's flags (under `make test`) are not this one's.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}}
    env.update(DJANGO_SETTINGS_MODULE=PRODUCTION, COMMAND_LOG=str(log))
    subprocess.run(
        ["make", "--no-print-directory", f"VENV={venv}", *targets],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    return [tuple(line.split(" ", 1)) for line in log.read_text().splitlines()]


def test_make_test_runs_its_commands_with_the_test_settings(tmp_path):
    commands = _make(tmp_path, "test")

    assert [command.split()[:2] for _, command in commands] == [["manage.py", "makemigrations"], ["-m", "pytest"]]
    assert {chosen for chosen, _ in commands} == {TEST}


def test_development_commands_run_with_the_development_settings(tmp_path):
    commands = _make(tmp_path, "shell", "migrations", "bench")

    assert [command.split()[:2] for _, command in commands] == [
        ["manage.py", "shell"],
        ["manage.py", "makemigrations"],
        ["manage.py", "run_bench"],
    ]
    assert {chosen for chosen, _ in commands} == {DEVELOPMENT}


def test_make_run_starts_every_command_with_the_development_settings(monkeypatch):
    from earlyhelp import devrun

    started = []

    class Finished:
        """A command that has already ended."""

        def __init__(self, args, **kwargs):
            env = kwargs.get("env") or os.environ
            started.append((args, env.get("DJANGO_SETTINGS_MODULE"), env.get("DATABASE_URL")))

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", PRODUCTION)
    # As devservices sets them for the embedded database (restored after the test: devrun sets
    # DATABASE_URL to the application's role for what it starts).
    owner, app = "postgres://earlyhelp_owner@db/earlyhelp", "postgres://earlyhelp_app@db/earlyhelp"
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@db/earlyhelp")
    monkeypatch.setenv("DATABASE_OWNER_URL", owner)
    monkeypatch.setenv("DATABASE_APP_URL", app)
    monkeypatch.setattr(devrun.subprocess, "run", Finished)
    monkeypatch.setattr(devrun.subprocess, "Popen", Finished)
    monkeypatch.setattr(devrun.signal, "signal", lambda *args: None)
    monkeypatch.chdir(settings.BASE_DIR)

    devrun.main()

    assert [(" ".join(args[1:3]), database) for args, _, database in started] == [
        ("manage.py migrate", owner),
        ("manage.py db_grant_app_role", owner),
        ("manage.py load_demo_data", app),
        ("manage.py runserver", app),
        ("-m celery", app),
        ("-m celery", app),
    ]
    assert {chosen for _, chosen, _ in started} == {DEVELOPMENT}


def test_the_tests_run_with_the_test_settings(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert "bench" in settings.INSTALLED_APPS
