"""Development (`make run`, `make shell`, `make migrations`, `make bench`): DEBUG on unless the
environment says DEBUG=0, so a laptop needs no SECRET_KEY and serves plain HTTP; the benchmark app
installed; database connections closed at the end of each request.

runserver serves every client connection in a thread of its own, and a kept connection belongs to
the thread that opened it: with connections kept (CONN_MAX_AGE), each finished thread would leave
one open until PostgreSQL refused new clients."""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)  # noqa: F405
