"""The working-day clocks' calendar: England and Wales bank holidays generated years ahead from the
`holidays` package into the table an administrator can edit, and a warning, logged and in the
admin, when a clock would run past what the calendar knows."""

import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases.bank_holidays import bank_holidays_generate, calendar_warning, england_and_wales, known_through
from cases.deadlines import timescale_due
from cases.models import BankHoliday, Timescale
from cases.tasks import generate_bank_holidays
from earlyhelp.schedule import BEAT_SCHEDULE

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 12, 2)
ONE_WORKING_DAY = Timescale(code="t", name="t", amount=1, unit="working_days")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def calendar_ending(year: int) -> None:
    """The table as the seed left it: nothing after `year`."""
    BankHoliday.objects.filter(date__gt=datetime.date(year, 12, 31)).delete()


def test_the_calendar_of_2028_is_england_and_wales_with_gov_uk_names():
    days = dict(england_and_wales(2028, 2028))

    assert days == {
        datetime.date(2028, 1, 3): "New Year's Day (substitute day)",
        datetime.date(2028, 4, 14): "Good Friday",
        datetime.date(2028, 4, 17): "Easter Monday",
        datetime.date(2028, 5, 1): "Early May bank holiday",
        datetime.date(2028, 5, 29): "Spring bank holiday",
        datetime.date(2028, 8, 28): "Summer bank holiday",
        datetime.date(2028, 12, 25): "Christmas Day",
        datetime.date(2028, 12, 26): "Boxing Day",
    }  # New Year's Day 2028 is a Saturday: only its substitute, a weekday, is a row


def test_the_calendar_agrees_with_the_seeded_days_it_replaces(db):
    seeded = set(BankHoliday.objects.filter(date__year__in=[2025, 2026, 2027]).values_list("date", flat=True))

    assert {day for day, _ in england_and_wales(2025, 2027)} == seeded


def test_a_clock_across_new_year_2028_skips_the_substitute_day_once_generated(db, caplog):
    calendar_ending(2027)
    friday = at(2027, 12, 31, 10, 0)

    with caplog.at_level(logging.WARNING, logger="cases.bank_holidays"):
        before = timescale_due(ONE_WORKING_DAY, friday)
    warned = [r.getMessage() for r in caplog.records if r.name == "cases.bank_holidays"]
    caplog.clear()
    added = bank_holidays_generate(today=TODAY)
    with caplog.at_level(logging.WARNING, logger="cases.bank_holidays"):
        after = timescale_due(ONE_WORKING_DAY, friday)

    assert before == at(2028, 1, 3, 10, 0)  # the substitute day counted as a working day
    assert warned == [
        "A working-day deadline falls due on 2028-01-03, at or past the end of the bank holidays known: bank"
        " holidays after them count as working days. Run the bank holiday task or add them in the admin."
    ]
    assert after == at(2028, 1, 4, 10, 0)
    assert not [r for r in caplog.records if r.name == "cases.bank_holidays"]
    assert added == 8 * 4  # 2028 to 2031, eight weekdays each
    assert known_through() == datetime.date(2031, 12, 31)


def test_a_clock_well_inside_the_calendar_warns_nobody(db, caplog):
    bank_holidays_generate(today=TODAY)

    with caplog.at_level(logging.WARNING, logger="cases.bank_holidays"):
        due = timescale_due(ONE_WORKING_DAY, at(2027, 3, 25, 10, 0))  # Thursday before Easter

    assert due == at(2027, 3, 30, 10, 0)
    assert not caplog.records


def test_generating_keeps_a_councils_own_days_and_names_and_runs_twice_safely(db):
    calendar_ending(2027)
    BankHoliday.objects.create(date=datetime.date(2029, 6, 1), name="Exampleshire's one-off holiday")
    BankHoliday.objects.create(date=datetime.date(2028, 5, 1), name="Early May bank holiday (our name)")

    first = bank_holidays_generate(today=TODAY)
    second = bank_holidays_generate(today=TODAY)

    assert first == 8 * 4 - 1 and second == 0
    assert BankHoliday.objects.get(date=datetime.date(2029, 6, 1)).name == "Exampleshire's one-off holiday"
    assert BankHoliday.objects.get(date=datetime.date(2028, 5, 1)).name == "Early May bank holiday (our name)"


def test_the_calendar_reaches_as_far_as_the_longest_working_day_clock(db):
    Timescale.objects.create(code="long", name="A long clock", amount=1000, unit="working_days")

    bank_holidays_generate(today=TODAY)

    # 1,000 working days take at most 3,014 calendar days, and a year's notice more: into 2036.
    assert known_through() >= TODAY + datetime.timedelta(days=3014 + 365)


def test_the_monthly_task_fills_the_calendar_years_ahead(db):
    this_year = timezone.localdate().year
    calendar_ending(this_year - 1)

    generate_bank_holidays()

    assert BEAT_SCHEDULE["generate-bank-holidays"]["task"] == "cases.tasks.generate_bank_holidays"
    assert known_through() == datetime.date(this_year + 5, 12, 31)
    assert BankHoliday.objects.filter(date__year=this_year + 5).count() == 8


def test_the_administrator_is_warned_in_the_admin_when_the_calendar_ends_too_soon(world, client_for):
    calendar_ending(timezone.localdate().year - 1)
    client = client_for(world.superuser)

    home = client.get("/admin/").content.decode()
    holidays_page = client.get("/admin/cases/bankholiday/").content.decode()
    warning = calendar_warning()
    bank_holidays_generate()
    home_after = client.get("/admin/").content.decode()
    holidays_after = client.get("/admin/cases/bankholiday/").content.decode()

    assert warning.startswith(f"The bank holiday calendar has only to the end of {timezone.localdate().year - 1}.")
    assert warning in home and warning in holidays_page
    assert "bank holiday calendar" not in home_after and "bank holiday calendar" not in holidays_after
    assert calendar_warning() == ""


def test_an_empty_calendar_is_warned_about_too(db):
    BankHoliday.objects.all().delete()

    assert calendar_warning().startswith("The bank holiday calendar has no bank holidays at all.")


@pytest.mark.parametrize("years", [1, 3])
def test_how_far_ahead_is_configuration(db, settings, years):
    settings.BANK_HOLIDAY_YEARS_AHEAD = years
    calendar_ending(2027)

    bank_holidays_generate(today=TODAY)

    assert known_through() == datetime.date(max(TODAY.year + years, 2027), 12, 31)
