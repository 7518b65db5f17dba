from celery import shared_task
from django.core.management import call_command


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
    from .notifications import notifications_send_pending

    notifications_send_pending()


@shared_task
def generate_bank_holidays() -> None:
    """Keep the bank holiday calendar BANK_HOLIDAY_YEARS_AHEAD years ahead (monthly; safe to run again)."""
    from .bank_holidays import bank_holidays_generate

    bank_holidays_generate()
