"""The Celery beat schedule, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "cases.tasks.sweep_deadlines",
        "schedule": 60.0,
    },
    "send-notifications": {
        # Queued on commit too; this catches what a dead worker or a provider outage left behind.
        "task": "cases.tasks.send_pending_notifications",
        "schedule": 60.0,
    },
    "clear-expired-sessions": {
        "task": "cases.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17),  # hourly
    },
    "generate-bank-holidays": {
        # Keeps the working-day clocks' calendar years ahead (cases/bank_holidays.py).
        "task": "cases.tasks.generate_bank_holidays",
        "schedule": crontab(day_of_month=1, hour=2, minute=23),  # monthly
    },
}
