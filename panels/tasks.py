from celery import shared_task

from .scheduling import meetings_schedule_all


@shared_task
def schedule_meetings() -> int:
    """Keep every panel's next meetings scheduled (daily; changes to a schedule do it at once too)."""
    return meetings_schedule_all()
