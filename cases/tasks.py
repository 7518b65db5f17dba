from celery import shared_task
from django.core.management import call_command

# A send task's share of a backlog: it sends for up to this long (or this many rows), then hands the
# rest to a new task at once, so a long drain never holds back the minute's sweep queued behind it.
SEND_SECONDS = 30
SEND_ROWS = 20_000


@shared_task
def clear_expired_sessions() -> None:
    """Sessions end after 30 idle minutes; their rows are removed here."""
    call_command("clearsessions")


@shared_task
def sweep_deadlines() -> None:
    """Reminders before deadlines and escalations after them, once each (run every minute)."""
    from .deadlines import deadlines_sweep

    deadlines_sweep()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_pending_notifications() -> None:
    """Send the outbox until nothing is due, handing on to a new task when its share is done (queued
    on commit whenever a message is, and every minute)."""
    from .notifications import notifications_drain

    if notifications_drain(limit=SEND_ROWS, seconds=SEND_SECONDS).more:
        send_pending_notifications.delay()


@shared_task
def recover_notifications() -> None:
    """Settle the messages a dead worker left "sending" (every five minutes)."""
    from .notifications import notifications_recover

    notifications_recover()


@shared_task
def generate_bank_holidays() -> None:
    """Keep the bank holiday calendar BANK_HOLIDAY_YEARS_AHEAD years ahead (monthly; safe to run again)."""
    from .bank_holidays import bank_holidays_generate

    bank_holidays_generate()
