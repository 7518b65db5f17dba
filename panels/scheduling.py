"""A panel's schedule: every week or every two weeks on its weekday, counted from its first meeting.

A slot that falls on a bank holiday meets on the next working day at the same time. The next
`MEETINGS_AHEAD` meetings always exist (a daily task and every change to the schedule keep them):
members can plan, and the coordinator can put cases on an agenda weeks ahead. A moved meeting keeps
its slot; a cancelled one keeps it too, and the schedule adds the slot after the last instead."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from cases.models import BankHoliday

from .models import FREQUENCY_DAYS, Meeting, MeetingStatus, Panel

MEETINGS_AHEAD = 3
# Slots looked at in one pass: enough for the meetings ahead however many were cancelled.
SLOTS_LOOKED_AT = 26


def slots(panel: Panel, *, from_date: datetime.date, count: int) -> list[datetime.date]:
    """The next `count` dates of the panel's schedule on or after `from_date`."""
    step = FREQUENCY_DAYS[panel.frequency]
    first = panel.first_meeting_on
    # The schedule's weekday is the panel's; the first meeting's date anchors the fortnights.
    first += datetime.timedelta(days=(panel.weekday - first.weekday()) % 7)
    if from_date <= first:
        start = first
    else:
        periods = -(-(from_date - first).days // step)  # ceiling division
        start = first + datetime.timedelta(days=periods * step)
    return [start + datetime.timedelta(days=step * n) for n in range(count)]


def meeting_day(slot_on: datetime.date, holidays: set[datetime.date]) -> datetime.date:
    """The day a slot meets: itself, or the next working day after a bank holiday."""
    day = slot_on
    while day.weekday() >= 5 or day in holidays:
        day += datetime.timedelta(days=1)
    return day


def slot_starts_at(panel: Panel, slot_on: datetime.date, holidays: set[datetime.date]) -> datetime.datetime:
    day = meeting_day(slot_on, holidays)
    return timezone.make_aware(datetime.datetime.combine(day, panel.meets_at))


@transaction.atomic
def meetings_schedule(*, panel: Panel, now: datetime.datetime | None = None) -> list[Meeting]:
    """Make sure the panel's next `MEETINGS_AHEAD` meetings exist; return the new ones. Safe to run
    twice at once: the panel's row is locked while its slots are filled."""
    now = now or timezone.now()
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if not panel.active:
        return []
    today = timezone.localdate(now)
    upcoming = Meeting.objects.filter(panel=panel, status=MeetingStatus.SCHEDULED, starts_at__gte=now).count()
    if upcoming >= MEETINGS_AHEAD:
        return []
    candidates = slots(panel, from_date=today, count=SLOTS_LOOKED_AT)
    taken = set(Meeting.objects.filter(panel=panel, slot_on__in=candidates).values_list("slot_on", flat=True))
    holidays = set(
        BankHoliday.objects.filter(
            date__gte=candidates[0], date__lte=candidates[-1] + datetime.timedelta(days=7)
        ).values_list("date", flat=True)
    )
    made = []
    for slot_on in candidates:
        if upcoming >= MEETINGS_AHEAD:
            break
        if slot_on in taken:
            continue
        starts_at = slot_starts_at(panel, slot_on, holidays)
        if starts_at < now:
            continue
        made.append(Meeting.objects.create(panel=panel, slot_on=slot_on, starts_at=starts_at, venue=panel.venue))
        upcoming += 1
    return made


def meetings_schedule_all(*, now: datetime.datetime | None = None) -> int:
    """Every active panel's meetings ahead (the daily task). Returns how many were made."""
    return sum(len(meetings_schedule(panel=panel, now=now)) for panel in Panel.objects.filter(active=True))
