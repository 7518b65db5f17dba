"""The Celery beat schedule, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "cases.tasks.sweep_deadlines",
        "schedule": 60.0,
    },
    "send-notifications": {
        # Queued on commit too; this catches what a dead worker or a provider outage left behind,
        # and messages held back until a time (a letter's grace period, a retry's backoff).
        "task": "cases.tasks.send_pending_notifications",
        "schedule": 60.0,
    },
    "recover-notifications": {
        # Messages a worker died while sending: asked about (Notify) or left for a person (email).
        "task": "cases.tasks.recover_notifications",
        "schedule": 300.0,
    },
    "record-emailed-letters": {
        # Meets the referrer-letter clock once the outbox has sent the letter (backdated to then).
        "task": "front_door.tasks.record_emailed_letters",
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
    "schedule-panel-meetings": {
        # Every panel's next three meetings exist (panels/scheduling.py).
        "task": "panels.tasks.schedule_meetings",
        "schedule": crontab(hour=2, minute=53),  # daily, at night
    },
    "send-missing-panel-letters": {
        # A panel decision's letter to the referrer is queued when it is made; this makes any a lost
        # task left behind (panels/letters.py).
        "task": "panels.tasks.send_missing_panel_letters",
        "schedule": 300.0,
    },
    "delete-old-agenda-papers": {
        # Stored agenda PDFs of meetings a week past, or cancelled (panels/tasks.py).
        "task": "panels.tasks.delete_old_agenda_papers",
        "schedule": crontab(hour=3, minute=23),  # daily, at night
    },
    "delete-unused-referral-drafts": {
        # Unsent referrals nobody has touched for 28 days (front_door.services.DRAFT_KEPT_FOR).
        "task": "front_door.tasks.delete_unused_drafts",
        "schedule": crontab(hour=3, minute=41),  # daily, at night
    },
    "sweep-exports": {
        # Export files past their 24 hours deleted, and jobs a dead worker or a lost message left
        # unfinished queued again (outcomes/exports/services.py).
        "task": "outcomes.exports.tasks.sweep_exports",
        "schedule": crontab(minute="*/15"),
    },
}
