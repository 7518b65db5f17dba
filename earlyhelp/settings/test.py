import os
import re

from .base import *  # noqa: F403

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
