"""Deadlines: the clocks of DOMAIN.md (24-hour decisions, 72-hour letters, 1-week allocation,
1-month assessment, reviews) as rows, and the sweep that reminds and escalates exactly once.

Exactly once: the sweep claims due rows with `FOR UPDATE SKIP LOCKED`, stamps them and queues
their notifications (with unique dedupe keys) in one transaction. A sweep that dies mid-way rolls
back and the next one redoes the work; two sweeps at once never take the same row.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Agency, BankHoliday, Case, Deadline, Timescale, TimeUnit, User
from .notifications import notification_queue, send_after_commit

SWEEP_BATCH = 5000


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """`days` working days after `start`, skipping weekends and England and Wales bank holidays;
    the time of day is kept."""
    local = timezone.localtime(start)
    holidays = set(
        BankHoliday.objects.filter(
            date__gt=local.date(), date__lte=local.date() + datetime.timedelta(days=days * 3 + 14)
        ).values_list("date", flat=True)
    )
    current = local
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5 and current.date() not in holidays:
            remaining -= 1
    return current


def timescale_due(timescale: Timescale, start: datetime.datetime) -> datetime.datetime:
    amount = timescale.amount
    if timescale.unit == TimeUnit.HOURS:
        return start + datetime.timedelta(hours=amount)
    if timescale.unit == TimeUnit.DAYS:
        return start + datetime.timedelta(days=amount)
    if timescale.unit == TimeUnit.WEEKS:
        return start + datetime.timedelta(weeks=amount)
    if timescale.unit == TimeUnit.MONTHS:
        return timezone.localtime(start) + relativedelta(months=amount)
    if timescale.unit == TimeUnit.WORKING_DAYS:
        return add_working_days(start, amount)
    raise ValueError(f"unknown unit {timescale.unit}")


def deadline_start(
    *,
    timescale_code: str,
    subject_type: str,
    subject_id: int,
    reference: str,
    started_at: datetime.datetime | None = None,
    case: Case | None = None,
    remind_role: str = "",
    remind_user: User | None = None,
    remind_agency: Agency | None = None,
    escalate_role: str = "",
) -> Deadline:
    """Start the clock (idempotent: the running deadline for this subject is returned if there is one)."""
    timescale = Timescale.objects.get(code=timescale_code)
    started_at = started_at or timezone.now()
    due_at = timescale_due(timescale, started_at)
    remind_at = max(started_at, due_at - datetime.timedelta(hours=timescale.reminder_before_hours))
    deadline, _created = Deadline.objects.get_or_create(
        timescale=timescale,
        subject_type=subject_type,
        subject_id=subject_id,
        met_at=None,
        cancelled_at=None,
        defaults={
            "case": case,
            "reference": reference,
            "remind_role": remind_role,
            "remind_user": remind_user,
            "remind_agency": remind_agency,
            "escalate_role": escalate_role,
            "started_at": started_at,
            "remind_at": remind_at,
            "due_at": due_at,
        },
    )
    return deadline


def deadline_meet(
    *, timescale_code: str, subject_type: str, subject_id: int, met_at: datetime.datetime | None = None
) -> Deadline | None:
    """Stop the clock: the event it waited for has happened. Returns None if none was running."""
    deadline = (
        Deadline.objects.select_for_update()
        .filter(
            timescale__code=timescale_code,
            subject_type=subject_type,
            subject_id=subject_id,
            met_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .first()
    )
    if deadline is None:
        return None
    deadline.met_at = met_at or timezone.now()
    deadline.save(update_fields=["met_at"])
    return deadline


def deadline_cancel(*, subject_type: str, subject_id: int, timescale_code: str | None = None) -> int:
    """The clock no longer applies (the referral was withdrawn, the case closed)."""
    queryset = Deadline.objects.filter(
        subject_type=subject_type, subject_id=subject_id, met_at__isnull=True, cancelled_at__isnull=True
    )
    if timescale_code:
        queryset = queryset.filter(timescale__code=timescale_code)
    return queryset.update(cancelled_at=timezone.now())


def _recipients(role: str, user_id: int | None, agency_id: int | None, cache: dict) -> list[User]:
    key = (role, user_id, agency_id)
    if key not in cache:
        users = User.objects.filter(is_active=True).exclude(email="")
        if user_id:
            users = users.filter(pk=user_id)
        elif agency_id:
            users = users.filter(agency_id=agency_id)
            if role:
                users = users.filter(groups__name=role)
        elif role:
            users = users.filter(groups__name=role)
        else:
            users = users.none()
        cache[key] = list(users.distinct())
    return cache[key]


CLAIMED_COLUMNS = (
    "id",
    "reference",
    "due_at",
    "remind_role",
    "remind_user_id",
    "remind_agency_id",
    "escalate_role",
    "timescale_id",
)


def _claim(stamp: str, due_column: str, now: datetime.datetime, limit: int) -> list[dict]:
    """Stamp up to `limit` due, running deadlines and return what the messages need, skipping rows
    another sweep holds. One statement, served by the partial index on `due_column`."""
    table = Deadline._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET {stamp} = %s
            WHERE id IN (
                SELECT id FROM {table}
                WHERE met_at IS NULL AND cancelled_at IS NULL AND {stamp} IS NULL AND {due_column} <= %s
                ORDER BY {due_column}
                LIMIT %s
                FOR UPDATE SKIP LOCKED
            )
            RETURNING {", ".join(CLAIMED_COLUMNS)}
            """,  # noqa: S608 (column names are constants of this module)
            [now, now, limit],
        )
        return sorted(
            (dict(zip(CLAIMED_COLUMNS, row, strict=True)) for row in cursor.fetchall()),
            key=lambda d: (d["due_at"], d["id"]),
        )


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")


def deadlines_sweep(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> dict[str, int]:
    """Send the reminders and escalations that are due, once each. Returns how many of each.

    Each batch is claimed, stamped and turned into one message per recipient (listing every
    deadline of the batch that concerns them) in one transaction: a duty manager gets one email
    about twelve referrals, not twelve emails."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    base_url = settings.SITE_URL.rstrip("/")
    names: dict[int, str] = {}
    for kind, stamp, column in (("reminded", "reminded_at", "remind_at"), ("escalated", "escalated_at", "due_at")):
        while True:
            with transaction.atomic():
                claimed = _claim(stamp, column, now, batch)
                if not claimed:
                    break
                ids = [d["id"] for d in claimed]
                names = names or dict(Timescale.objects.values_list("id", "name"))
                cache: dict = {}
                lines_for: dict[int, list[tuple[str, str]]] = {}
                users: dict[int, User] = {}
                for deadline in claimed:
                    name = names[deadline["timescale_id"]]
                    when = _when(deadline["due_at"])
                    if kind == "reminded":
                        recipients = _recipients(
                            deadline["remind_role"], deadline["remind_user_id"], deadline["remind_agency_id"], cache
                        )
                        line = f"{name} for {deadline['reference']} is due by {when}."
                    else:
                        recipients = _recipients(deadline["escalate_role"], None, None, cache)
                        line = f"{name} for {deadline['reference']} was due by {when} and is overdue."
                    for user in recipients:
                        users[user.pk] = user
                        lines_for.setdefault(user.pk, []).append((f"{name} for {deadline['reference']}", line))
                for user_id, items in lines_for.items():
                    if len(items) == 1:
                        label = "Due soon" if kind == "reminded" else "Overdue"
                        subject = f"{label}: {items[0][0]}"
                    else:
                        subject = (
                            f"{len(items)} deadlines due soon"
                            if kind == "reminded"
                            else f"{len(items)} deadlines overdue"
                        )
                    body = "\n".join(line for _what, line in items)
                    notification_queue(
                        # The batch's ids are stamped in this transaction and never claimed again.
                        dedupe_key=f"deadlines:{kind}:{min(ids)}:{len(ids)}:{user_id}",
                        recipient=users[user_id],
                        subject=subject,
                        body=f"{body}\n\n{base_url}/",
                        enqueue=False,
                    )
                if lines_for:
                    send_after_commit()
                counts[kind] += len(ids)
            if len(claimed) < batch:
                break
    return counts
