"""The Celery beat schedule, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "cases.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17),  # hourly
    },
}
