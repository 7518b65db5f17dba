"""A panel's schedule: the next three meetings always exist, every week or two on its weekday, the
day after a bank holiday, and moved or cancelled meetings keep their places."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from panels import services
from panels.models import Frequency, Meeting, MeetingStatus, Panel, Weekday
from panels.scheduling import meetings_schedule, meetings_schedule_all
from tests.panels.conftest import waiting_case

LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def make_panel(world, **fields) -> Panel:
    defaults = {
        "name": "North panel",
        "locality": world.north,
        "first_meeting_on": datetime.date(2027, 1, 5),  # a Tuesday
        "weekday": Weekday.TUESDAY,
        "meets_at": datetime.time(10, 0),
    }
    return Panel.objects.create(**{**defaults, **fields})


def upcoming(panel) -> list[datetime.datetime]:
    return list(
        Meeting.objects.filter(panel=panel, status=MeetingStatus.SCHEDULED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )


def test_fortnightly_meetings_on_the_panels_weekday_three_ahead(world):
    panel = make_panel(world)

    made = meetings_schedule(panel=panel, now=at(2027, 2, 1, 9, 0))

    assert len(made) == 3
    # Fortnights counted from 5 January: 2 February, 16 February, 2 March.
    assert upcoming(panel) == [at(2027, 2, 2, 10, 0), at(2027, 2, 16, 10, 0), at(2027, 3, 2, 10, 0)]


def test_weekly_meetings(world):
    panel = make_panel(world, frequency=Frequency.WEEKLY, weekday=Weekday.THURSDAY, meets_at=datetime.time(14, 30))

    meetings_schedule(panel=panel, now=at(2027, 2, 1, 9, 0))

    assert upcoming(panel) == [at(2027, 2, 4, 14, 30), at(2027, 2, 11, 14, 30), at(2027, 2, 18, 14, 30)]


def test_scheduling_again_makes_nothing_more_until_a_meeting_has_passed(world):
    panel = make_panel(world)
    meetings_schedule(panel=panel, now=at(2027, 2, 1, 9, 0))

    assert meetings_schedule(panel=panel, now=at(2027, 2, 2, 9, 0)) == []
    after_the_first = meetings_schedule(panel=panel, now=at(2027, 2, 2, 12, 0))

    assert [m.starts_at for m in after_the_first] == [at(2027, 3, 16, 10, 0)]
    assert Meeting.objects.filter(panel=panel).count() == 4


def test_a_meeting_on_a_bank_holiday_meets_the_next_working_day(world):
    # Mondays, fortnightly from 19 April 2027: 3 May is the early May bank holiday, 31 May the spring one.
    panel = make_panel(world, weekday=Weekday.MONDAY, first_meeting_on=datetime.date(2027, 4, 19))

    meetings_schedule(panel=panel, now=at(2027, 4, 20, 9, 0))

    assert upcoming(panel) == [at(2027, 5, 4, 10, 0), at(2027, 5, 17, 10, 0), at(2027, 6, 1, 10, 0)]
    assert list(Meeting.objects.filter(panel=panel).order_by("slot_on").values_list("slot_on", flat=True)) == [
        datetime.date(2027, 5, 3),
        datetime.date(2027, 5, 17),
        datetime.date(2027, 5, 31),
    ]


def test_a_moved_meeting_keeps_its_place_and_the_schedule_makes_no_other(world):
    panel = make_panel(world, first_meeting_on=datetime.date(2030, 1, 8))
    meetings_schedule(panel=panel, now=at(2029, 12, 1, 9, 0))
    first = Meeting.objects.filter(panel=panel).order_by("starts_at").first()

    moved = services.meeting_move(
        actor=world.panel_coordinator, meeting=first, starts_at=at(2030, 1, 10, 13, 0), reason="Room unavailable"
    )
    meetings_schedule(panel=panel, now=at(2029, 12, 2, 9, 0))

    assert moved.moved_from == at(2030, 1, 8, 10, 0)
    assert Meeting.objects.filter(panel=panel).count() == 3
    assert upcoming(panel)[0] == at(2030, 1, 10, 13, 0)


def test_moving_needs_a_future_time_and_a_reason(world):
    panel = make_panel(world, first_meeting_on=datetime.date(2030, 1, 1))
    meetings_schedule(panel=panel, now=at(2029, 12, 1, 9, 0))
    first = Meeting.objects.filter(panel=panel).order_by("starts_at").first()

    with pytest.raises(ValidationError) as error:
        services.meeting_move(actor=world.panel_coordinator, meeting=first, starts_at=at(2020, 1, 3, 13, 0), reason=" ")

    assert error.value.message_dict == {
        "starts_at": ["Enter a date and time in the future"],
        "reason": ["Enter why the meeting is moving"],
    }


def test_a_cancelled_meeting_is_replaced_and_its_cases_go_to_the_next(world):
    w = world
    panel = make_panel(w, first_meeting_on=datetime.date(2030, 1, 1))
    meetings_schedule(panel=panel, now=at(2029, 12, 1, 9, 0))
    first, second, _third = Meeting.objects.filter(panel=panel).order_by("starts_at")
    case = waiting_case(w)
    services.agenda_add(actor=w.panel_coordinator, meeting=first, case=case)

    with pytest.raises(ValidationError) as error:
        services.meeting_cancel(actor=w.panel_coordinator, meeting=first, reason="")
    assert error.value.message_dict == {"reason": ["Enter why the meeting is cancelled"]}

    services.meeting_cancel(actor=w.panel_coordinator, meeting=first, reason="Chair unwell")

    first.refresh_from_db()
    assert first.status == MeetingStatus.CANCELLED and first.cancel_reason == "Chair unwell"
    assert len(upcoming(panel)) == 3  # a fourth slot was added
    assert list(second.items.values_list("case_id", flat=True)) == [case.pk]


def test_a_coordinator_changes_only_their_own_localitys_schedule(world):
    south = make_panel(world, name="South panel", locality=world.south, first_meeting_on=datetime.date(2030, 1, 1))
    meetings_schedule(panel=south, now=at(2029, 12, 1, 9, 0))
    meeting = Meeting.objects.filter(panel=south).first()

    with pytest.raises(PermissionDenied):
        services.meeting_cancel(actor=world.panel_coordinator, meeting=meeting, reason="Not mine")
    services.meeting_cancel(actor=world.county_coordinator, meeting=meeting, reason="The county's coordinator may")


def test_the_daily_task_schedules_every_active_panel(world):
    make_panel(world, first_meeting_on=datetime.date(2030, 1, 1))
    make_panel(world, name="Old panel", locality=None, active=False, first_meeting_on=datetime.date(2030, 1, 1))

    assert meetings_schedule_all(now=at(2029, 12, 1, 9, 0)) == 3


def test_a_new_panel_has_its_next_meetings_at_once(world):
    panel = services.panel_create(
        actor=world.panel_coordinator,
        name="North panel",
        locality=world.north,
        first_meeting_on=datetime.date(2030, 1, 1),
        weekday=Weekday.TUESDAY,
        meets_at=datetime.time(10, 0),
    )

    assert len(upcoming(panel)) == 3


def test_one_panel_per_locality(world):
    make_panel(world)

    with pytest.raises(ValidationError) as error:
        services.panel_create(
            actor=world.county_coordinator,
            name="Second north panel",
            locality=world.north,
            first_meeting_on=datetime.date(2030, 1, 1),
            weekday=Weekday.TUESDAY,
            meets_at=datetime.time(10, 0),
        )
    assert error.value.message_dict == {"locality": ["North already has a panel"]}
