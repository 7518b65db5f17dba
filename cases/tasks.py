from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Sessions end after 30 idle minutes; their rows are removed here."""
    call_command("clearsessions")
