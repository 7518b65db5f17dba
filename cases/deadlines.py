"""Deadlines: the clocks of DOMAIN.md (24-hour decisions, 72-hour letters, 1-week allocation,
1-month assessment, reviews) as rows, and the sweep that reminds and escalates exactly once.

Each running deadline has two alarms (`DeadlineAlarm`): the reminder before it is due and the
escalation once it is missed. Exactly once: the sweep stamps the alarms that are due as gone off,
with `FOR UPDATE SKIP LOCKED`, and queues their messages in the same transaction. A sweep that dies
mid-way rolls back and the next one redoes the work; two sweeps at once never take the same alarm.
"""

from __future__ import annotations

import datetime
import heapq
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .bank_holidays import calendar_days, warn_if_past
from .models import Agency, BankHoliday, Case, Deadline, DeadlineAlarm, Notification, Timescale, TimeUnit, User
from .notifications import send_after_commit

# Alarms handled per transaction: one message per person per batch, and rows held only that long.
SWEEP_BATCH = 10_000
# A message lists this many deadlines, soonest due first, and counts the rest.
LISTED = 50


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """`days` working days after `start`, skipping weekends and England and Wales bank holidays;
    the time of day is kept."""
    local = timezone.localtime(start)
    # Read a year past the clock's reach too (to the next New Year's Day), in the same query: it
    # shows whether the calendar goes beyond the day the clock falls due (warned when it does not).
    reach = calendar_days(days) + 400
    holidays = set(
        BankHoliday.objects.filter(
            date__gt=local.date(), date__lte=local.date() + datetime.timedelta(days=reach)
        ).values_list("date", flat=True)
    )
    current = local
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5 and current.date() not in holidays:
            remaining -= 1
    warn_if_past(current, holidays)
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
    escalate_user: User | None = None,
    escalate_agency: Agency | None = None,
    due_at: datetime.datetime | None = None,
) -> Deadline:
    """Start the clock (idempotent: the running deadline for this subject is returned if there is one).
    It is due after the timescale's time, unless `due_at` sets another (a date a duty manager gave).

    Who is told: the reminder goes to `remind_user`, else to `remind_agency`'s practitioners (those
    holding `remind_role`, when one is given), else to everyone holding `remind_role`; the escalation
    likewise to `escalate_user`, else `escalate_agency`'s holders of `escalate_role` (an agency's team
    managers), else everyone holding `escalate_role`."""
    timescale = Timescale.objects.get(code=timescale_code)
    started_at = started_at or timezone.now()
    due_at = due_at or timescale_due(timescale, started_at)
    remind_at = max(started_at, due_at - datetime.timedelta(hours=timescale.reminder_before_hours))
    deadline, created = Deadline.objects.get_or_create(
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
            "escalate_user": escalate_user,
            "escalate_agency": escalate_agency,
            "started_at": started_at,
            "remind_at": remind_at,
            "due_at": due_at,
        },
    )
    if created:
        DeadlineAlarm.objects.bulk_create(
            [
                DeadlineAlarm(deadline=deadline, kind=DeadlineAlarm.Kind.REMINDER, goes_off_at=remind_at),
                DeadlineAlarm(deadline=deadline, kind=DeadlineAlarm.Kind.ESCALATION, goes_off_at=due_at),
            ]
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
    deadline.alarms.filter(went_off_at__isnull=True).delete()
    return deadline


def deadline_cancel(*, subject_type: str, subject_id: int, timescale_code: str | None = None) -> int:
    """The clock no longer applies (the referral was withdrawn, the case closed)."""
    queryset = Deadline.objects.filter(
        subject_type=subject_type, subject_id=subject_id, met_at__isnull=True, cancelled_at__isnull=True
    )
    if timescale_code:
        queryset = queryset.filter(timescale__code=timescale_code)
    with transaction.atomic():
        DeadlineAlarm.objects.filter(deadline__in=queryset, went_off_at__isnull=True).delete()
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


class Fired(NamedTuple):
    """An alarm that went off, with what its message needs of the deadline."""

    alarm_id: int
    kind: str
    running: bool
    reference: str
    due_epoch: float  # seconds since 1970: a timestamp read as text costs more to parse than the rest
    remind_role: str
    remind_user_id: int | None
    remind_agency_id: int | None
    escalate_role: str
    escalate_user_id: int | None
    escalate_agency_id: int | None
    timescale_id: int
    deadline_id: int


def _fire(now: datetime.datetime, limit: int) -> list[Fired]:
    """Stamp up to `limit` due alarms as gone off, skipping rows another sweep holds, and return
    what their messages need, soonest due first. One statement, served by the waiting alarms' index."""
    alarms, deadlines = DeadlineAlarm._meta.db_table, Deadline._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH fired AS (
                -- The rows are locked by this statement's own subquery, so their places (ctid)
                -- hold still: found by place, not looked up again through the primary key.
                UPDATE {alarms} SET went_off_at = %s WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM {alarms} WHERE went_off_at IS NULL AND goes_off_at <= %s
                    ORDER BY goes_off_at LIMIT %s
                    FOR UPDATE SKIP LOCKED
                ))
                RETURNING id, deadline_id, kind
            )
            SELECT fired.id, fired.kind, d.met_at IS NULL AND d.cancelled_at IS NULL, d.reference,
                   extract(epoch FROM d.due_at)::float8,
                   d.remind_role, d.remind_user_id, d.remind_agency_id, d.escalate_role,
                   d.escalate_user_id, d.escalate_agency_id, d.timescale_id, d.id
            FROM fired JOIN {deadlines} d ON d.id = fired.deadline_id
            """,  # noqa: S608 (table names are the models' own)
            [now, now, limit],
        )
        # Soonest due first (sorted here: cheaper than sorting the wide rows in the statement).
        return sorted((Fired(*row) for row in cursor.fetchall()), key=lambda f: (f.due_epoch, f.deadline_id, f.kind))


def _when(epoch: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
    return timezone.localtime(moment).strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")


def _digest(kind: str, items: list[Fired], names: dict[int, str]) -> tuple[str, str]:
    """The subject and body of one person's message about `items` (soonest due first)."""

    def what(item: Fired) -> str:
        return f"{names[item.timescale_id]} for {item.reference}"

    if len(items) == 1:
        subject = f"{'Due soon' if kind == 'reminded' else 'Overdue'}: {what(items[0])}"
    else:
        subject = f"{len(items):,} deadlines {'due soon' if kind == 'reminded' else 'overdue'}"
    lines = [
        f"{what(item)} is due by {_when(item.due_epoch)}."
        if kind == "reminded"
        else f"{what(item)} was due by {_when(item.due_epoch)} and is overdue."
        for item in items[:LISTED]
    ]
    if len(items) > LISTED:
        lines.append(f"And {len(items) - LISTED:,} more, soonest due first in the service.")
    return subject, "\n".join(lines) + f"\n\n{settings.SITE_URL.rstrip('/')}/"


def _messages_queue(notifications: list[Notification]) -> None:
    """Put a batch's messages in the outbox in one statement (a key seen before is skipped)."""
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    send_after_commit()


def deadlines_sweep(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> dict[str, int]:
    """Send the reminders and escalations that are due, once each. Returns how many of each.

    Each batch of alarms is stamped and turned into one message per recipient (listing every
    deadline of the batch that concerns them) in one transaction: a duty manager gets one email
    about twelve referrals, not twelve emails."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    names: dict[int, str] = {}
    cache: dict = {}
    while True:
        with transaction.atomic():
            fired = _fire(now, batch)
            # Who is told about what: the rows of each (kind, recipients) group, in due order.
            groups: dict[tuple, list[Fired]] = {}
            stale = []
            for row in fired:
                if not row.running:
                    stale.append(row.alarm_id)  # stopped by a bulk update that left its alarms
                    continue
                if row.kind == DeadlineAlarm.Kind.REMINDER:
                    key = ("reminded", row.remind_role, row.remind_user_id, row.remind_agency_id)
                else:
                    key = ("escalated", row.escalate_role, row.escalate_user_id, row.escalate_agency_id)
                groups.setdefault(key, []).append(row)
            if stale:
                # Nothing was sent about these: they must not read as reminded or escalated.
                DeadlineAlarm.objects.filter(pk__in=stale).delete()
            messages: dict[tuple[str, int], list[tuple]] = {}
            users: dict[int, User] = {}
            for key in groups:
                counts[key[0]] += len(groups[key])
                for user in _recipients(*key[1:], cache):
                    users[user.pk] = user
                    messages.setdefault((key[0], user.pk), []).append(key)
            if messages:
                names = names or dict(Timescale.objects.values_list("id", "name"))
                first = min(row.alarm_id for row in fired)
                notifications = []
                for (kind, user_id), keys in messages.items():
                    items = (
                        groups[keys[0]]
                        if len(keys) == 1
                        else list(heapq.merge(*(groups[k] for k in keys), key=lambda row: row.due_epoch))
                    )
                    subject, body = _digest(kind, items, names)
                    notifications.append(
                        Notification(
                            # The batch's alarms are stamped in this transaction and never fire again.
                            dedupe_key=f"deadlines:{kind}:{first}:{len(fired)}:{user_id}",
                            recipient=users[user_id],
                            email=users[user_id].email,
                            subject=subject,
                            body=body,
                        )
                    )
                _messages_queue(notifications)
        if len(fired) < batch:
            break
    return counts
