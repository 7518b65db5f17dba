"""The outbox drain: a backlog of messages (300,000 in `make bench`) loaded as due, then sent by
several sender processes at once with the email backend writing files, as a worker of each would.
Timed from the first claim to the last row marked sent; then every message is counted in the files,
so a message sent twice or not at all shows."""

from __future__ import annotations

import datetime
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from bench.copy import IdAllocator, copy_rows
from cases.models import Notification

KEY_PREFIX = "bench-drain:"


def load_backlog(messages: int) -> None:
    """`messages` due reminders in the outbox, written with COPY."""
    ids = IdAllocator(Notification)
    due = timezone.now() - datetime.timedelta(minutes=1)
    site = settings.SITE_URL.rstrip("/")

    def rows():
        for i in range(messages):
            yield {
                "id": ids.take(),
                "dedupe_key": f"{KEY_PREFIX}{i}",
                "email": f"bench.practitioner.{i % 5_000}@example.org",
                "subject": f"Due soon: Front door decision for EH-BENCH-{i:07d}",
                "body": f"Front door decision for EH-BENCH-{i:07d} is due by 3 March 2026 at 9:30am.\n\n{site}/",
                "status": Notification.Status.PENDING,
                "created_at": due,
                "send_after": due,
            }

    copy_rows(Notification, rows())
    ids.finish()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_notification")


def delete_backlog() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_notification WHERE dedupe_key LIKE %s", [KEY_PREFIX + "%"])


def _sender_process() -> tuple[int, float]:
    """One sender, as a worker runs it: drains until nothing is due. Returns how many it sent and
    when it finished (monotonic seconds)."""
    from cases.notifications import EmailSender, notifications_drain

    try:
        sent = notifications_drain(sender=EmailSender()).sent
        return sent, time.monotonic()
    finally:
        connections.close_all()


def count_files(mail_dir: Path) -> tuple[int, int]:
    """Messages written under `mail_dir`, and how many distinct Message-IDs they carry."""
    total, seen = 0, set()
    for path in mail_dir.iterdir():
        with path.open("rb") as lines:
            for line in lines:
                if line.startswith(b"Message-ID: "):
                    total += 1
                    seen.add(line.strip())
    return total, len(seen)


def measure_drain(*, messages: int, workers: int, mail_dir: Path) -> dict:
    """Load `messages` due messages, drain them with `workers` sender processes writing mail files to
    `mail_dir`, and say how long it took and whether each went exactly once."""
    delete_backlog()
    load_backlog(messages)
    shutil.rmtree(mail_dir, ignore_errors=True)
    mail_dir.mkdir(parents=True)
    # The senders are forked from this process: none may share its database connection.
    connections.close_all()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir)
    ):
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            started = time.monotonic()
            results = [future.result() for future in [pool.submit(_sender_process) for _ in range(workers)]]
    seconds = max(finished for _, finished in results) - started
    statuses = dict(
        Notification.objects.filter(dedupe_key__startswith=KEY_PREFIX).values_list("status").annotate(n=Count("id"))
    )
    written, distinct = count_files(mail_dir)
    shutil.rmtree(mail_dir, ignore_errors=True)
    delete_backlog()
    return {
        "messages": messages,
        "workers": workers,
        "seconds": round(seconds, 2),
        "per_second": round(messages / seconds, 1),
        "sent": statuses.get(Notification.Status.SENT, 0),
        "left": messages - statuses.get(Notification.Status.SENT, 0),
        "files_messages": written,
        "sent_twice": written - distinct,
        "sent_by_worker": [sent for sent, _ in results],
    }


def drain_within_budget(drain: dict, *, seconds_for_300k: float) -> bool:
    """Every message sent, each once, at the budget's rate (a smaller run is held to the same rate)."""
    return (
        drain["left"] == 0
        and drain["sent_twice"] == 0
        and drain["files_messages"] == drain["messages"]
        and drain["seconds"] <= seconds_for_300k * drain["messages"] / 300_000
    )
