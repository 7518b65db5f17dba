"""Celery tasks against a real Redis broker and a real worker (in a thread of this process)."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from cases.tasks import clear_expired_sessions
from earlyhelp.celery import app
from earlyhelp.schedule import BEAT_SCHEDULE


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def _session(expires_in: datetime.timedelta) -> str:
    store = SessionStore()
    store["probe"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


@pytest.mark.xdist_group("celery-worker")  # one worker on the broker at a time (see test_outbox_drain)
def test_clear_expired_sessions_runs_on_a_real_worker(celery_worker):
    expired = _session(datetime.timedelta(minutes=-1))
    live = _session(datetime.timedelta(minutes=30))

    with transaction.atomic():
        transaction.on_commit(clear_expired_sessions.delay)
    deadline = time.monotonic() + 20
    while Session.objects.filter(session_key=expired).exists() and time.monotonic() < deadline:
        time.sleep(0.2)

    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
