"""The words the panel's pages, papers and messages share: a time, a date, a meeting's date and time
the GOV.UK way ("Tuesday 8 December 2026 at 10am", "midday"), a schedule, how a case came, and a
time read back as people type it."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from cases.models import PanelRoute

TIME_TYPED = re.compile(
    r"^\s*(?:(?P<word>midday|noon|midnight)|(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?)\s*$",
    re.IGNORECASE,
)
TIME_WORDS = {"midday": datetime.time(12, 0), "noon": datetime.time(12, 0), "midnight": datetime.time(0, 0)}


def time_words(value: datetime.datetime | datetime.time) -> str:
    """A time the GOV.UK way: "10am", "2:30pm", "midday", "midnight" (a datetime in local time)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).time()
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def parse_time(value: str) -> datetime.time | None:
    """A time as people type it: "10am", "2:30pm", "14:00", "9.30am", "midday". None when it is not
    one (or is ambiguous: "10" alone, morning or evening?). Reads back whatever `time_words` writes."""
    match = TIME_TYPED.match(value or "")
    if match is None:
        return None
    if match["word"]:
        return TIME_WORDS[match["word"].lower()]
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(".", "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match["minute"] is None:
        return None
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def day_words(value: datetime.datetime | datetime.date, *, weekday: bool = False) -> str:
    """ "8 December 2026", or with `weekday` "Tuesday 8 December 2026" (a datetime in local time)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return f"{value:%A} {value.day} {value:%B %Y}" if weekday else f"{value.day} {value:%B %Y}"


def when_words(moment: datetime.datetime, *, weekday: bool = True) -> str:
    """A date and time: "Tuesday 8 December 2026 at 10am" (without `weekday`, "8 December 2026 at 10am")."""
    return f"{day_words(moment, weekday=weekday)} at {time_words(moment)}"


def route_words(route: str, *, unknown: str = "") -> str:
    """How a case came to the panel, in words; `unknown` for no route or one no longer known."""
    return PanelRoute(route).label if route in PanelRoute.values else unknown


def schedule_words(panel) -> str:
    """ "Every two weeks on Tuesday at 10am"."""
    return f"{panel.get_frequency_display()} on {panel.get_weekday_display()} at {time_words(panel.meets_at)}"
