"""`make test` and `make run` start their commands through earlyhelp.devservices: importing the
project package must not choose the settings for those commands (it once made the whole suite run
with production password hashing, twenty times slower)."""

import os
import subprocess
import sys


def test_the_service_wrapper_passes_no_settings_module_to_its_command():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = env.get("DATABASE_URL", "postgres://unused@127.0.0.1/unused")
    env["REDIS_URL"] = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "earlyhelp.devservices",
            "--",
            sys.executable,
            "-c",
            "import os; print(os.environ.get('DJANGO_SETTINGS_MODULE', 'unset'))",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )

    assert result.stdout.strip().splitlines()[-1] == "unset"


def test_the_tests_run_with_the_test_settings(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
