"""England and Wales bank holidays: the calendar the working-day clocks read.

The clocks read the `BankHoliday` table, which an administrator can edit (a one-off day, such as a
coronation, is added there). The table is filled from the `holidays` package, which computes the
England calendar for any year: by a migration, and by a monthly task that keeps it running
BANK_HOLIDAY_YEARS_AHEAD years ahead. Whoever would be misled by a calendar that stops is told: a
clock that runs past it logs a warning, and the admin's home page and bank holiday list say so.
"""

from __future__ import annotations

import datetime
import logging

import holidays
from django.apps import apps as django_apps
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

logger = logging.getLogger(__name__)

# GOV.UK's names for the days the package names otherwise.
_GOV_UK_NAMES = {
    "May Day": "Early May bank holiday",
    "Spring Bank Holiday": "Spring bank holiday",
    "Late Summer Bank Holiday": "Summer bank holiday",
}
# A year's notice before the calendar runs out: time to mend a stopped task or a stale package.
NOTICE = datetime.timedelta(days=365)


def calendar_days(working_days: int) -> int:
    """The most calendar days `working_days` working days can take (weekends, and up to four bank
    holidays in a row at Easter and Christmas): the span a clock's calendar must cover."""
    return working_days * 3 + 14


def _gov_uk_name(name: str) -> str:
    name = name.replace("(observed)", "(substitute day)")
    for theirs, ours in _GOV_UK_NAMES.items():
        name = name.replace(theirs, ours)
    return name


def england_and_wales(first_year: int, last_year: int) -> list[tuple[datetime.date, str]]:
    """The bank holidays of England and Wales from `first_year` to `last_year`, weekdays only (a
    Christmas on a Saturday is kept on its substitute day), with GOV.UK's names."""
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return sorted(
        (day, "; ".join(_gov_uk_name(name) for name in calendar.get_list(day))) for day in calendar if day.weekday() < 5
    )


def _longest_working_days(apps) -> int:
    Timescale = apps.get_model("cases", "Timescale")
    amounts = Timescale.objects.filter(unit="working_days").values_list("amount", flat=True)
    return max(amounts, default=0)


def needed_through(*, apps=django_apps, today: datetime.date | None = None) -> datetime.date:
    """The last day the calendar must know, a year ahead: as far as the longest working-day clock
    started today can run, and a year's notice more."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=calendar_days(_longest_working_days(apps))) + NOTICE


def bank_holidays_generate(*, apps=django_apps, today: datetime.date | None = None) -> int:
    """Add the bank holidays missing from this year to BANK_HOLIDAY_YEARS_AHEAD years on (and at
    least as far as `needed_through`). Rows already there are kept as they are: an administrator's
    own days and names stay. Safe to run again; returns how many days were added."""
    today = today or timezone.localdate()
    BankHoliday = apps.get_model("cases", "BankHoliday")
    last_year = max(today.year + settings.BANK_HOLIDAY_YEARS_AHEAD, needed_through(apps=apps, today=today).year)
    days = england_and_wales(today.year, last_year)
    known = set(BankHoliday.objects.filter(date__gte=days[0][0]).values_list("date", flat=True))
    added = BankHoliday.objects.bulk_create(
        [BankHoliday(date=day, name=name) for day, name in days if day not in known], ignore_conflicts=True
    )
    return len(added)


def known_through(*, apps=django_apps) -> datetime.date | None:
    """The end of the last year the calendar has a bank holiday in (None if it has none)."""
    BankHoliday = apps.get_model("cases", "BankHoliday")
    last = BankHoliday.objects.aggregate(last=Max("date"))["last"]
    return datetime.date(last.year, 12, 31) if last else None


def calendar_warning(*, today: datetime.date | None = None) -> str:
    """What an administrator should be told when the calendar ends too soon ("" when it is fine)."""
    known = known_through()
    needed = needed_through(today=today)
    if known is not None and known >= needed:
        return ""
    known_words = f"only to the end of {known.year}" if known else "no bank holidays at all"
    return (
        f"The bank holiday calendar has {known_words}. Working-day deadlines falling after that will count "
        "bank holidays as working days. The bank holiday task adds them each month: check it is running, "
        "or add the bank holidays here."
    )


def warn_if_past(due: datetime.datetime, holidays_after_start: set[datetime.date]) -> None:
    """Log a warning when a working-day clock falls due past the known calendar: `holidays_after_start`
    are the bank holidays read from its start to a year past its reach. England has a bank holiday
    every January, so a calendar with none in a later year than `due` stops in `due`'s year."""
    if not any(day.year > due.year for day in holidays_after_start):
        logger.warning(
            "A working-day deadline falls due on %s, at or past the end of the bank holidays known: bank holidays"
            " after them count as working days. Run the bank holiday task or add them in the admin.",
            due.date().isoformat(),
        )
