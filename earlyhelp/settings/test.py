"""Tests (pytest-django reads `earlyhelp.settings.test` from pyproject.toml): DEBUG's defaults as in
development (plain HTTP, a development key) and the benchmark app, whose tests are in tests/bench;
connections kept as in production; fast password hashing, mail kept in memory and a Redis database
per xdist worker."""

import os
import re

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Each xdist worker gets a Redis database of its own for the cache, so one worker's cache.clear()
# (a FLUSHDB) cannot wipe another's throttle counters.
_worker = int(re.sub(r"\D", "", os.environ.get("PYTEST_XDIST_WORKER", "")) or 0)
CACHES["default"]["LOCATION"] = re.sub(r"/\d*$", f"/{8 + _worker % 8}", REDIS_URL)  # noqa: F405

# Counts straight from the database, so a test sees the case it has just made (one test turns the
# cache on to check it).
FIGURES_CACHE_SECONDS = 0
