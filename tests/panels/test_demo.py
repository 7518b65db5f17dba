"""The panel's demo data of `make run`: two panels run by the county's coordinator, held meetings with
their minutes, the next North meeting with its agenda sent, cases waiting (some past the 10 days from
the front door), allocations awaiting a lead professional (one a week overdue), and a case sent back
as disengaged waiting again. Loaded once for the module and rolled back after it."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseStatus, ChronologyEntry, Deadline, DeadlineAlarm, PanelRoute, User
from cases.roles import Role
from front_door.models import InformationRequest, Referral, ReferrerLetter
from panels.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingAction,
    MeetingStatus,
    Panel,
    PanelDecision,
    PanelOutcome,
)
from panels.permissions import may_manage_panel
from panels.selectors import waiting_list
from tests.demo_snapshot import load_demo

# The demo is loaded once for the module: its tests run on one worker, not once on each.
pytestmark = pytest.mark.xdist_group("test_demo")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def now(demo, db):
    return timezone.now()


@pytest.fixture
def coordinator(demo, db):
    return User.objects.get(username="panel.coordinator")


def test_north_and_south_panels_run_by_the_county_coordinator_with_members(coordinator):
    north, south = Panel.objects.select_related("locality").order_by("name")

    assert (north.locality.code, north.frequency, north.weekday, north.meets_at, north.venue) == (
        "north",
        "fortnightly",
        1,
        datetime.time(10, 0),
        "North Family Hub",
    )
    assert (south.locality.code, south.frequency, south.weekday, south.meets_at) == (
        "south",
        "weekly",
        3,
        datetime.time(14, 0),
    )
    assert may_manage_panel(coordinator, north) and may_manage_panel(coordinator, south)
    central = User.objects.get(username="manager.coordinator")
    assert not may_manage_panel(central, north) and not may_manage_panel(central, south)
    members = {(m.agency.name, m.user.username if m.user_id else None) for m in north.members.all()}
    assert {
        ("Riverside Primary School", "school.practitioner"),
        ("Exampleshire Health Visiting", "health.visitor"),
        ("Bridges Family Charity", "bridges.keyworker"),
        ("Exampleshire Police", None),
    } <= members
    # The schedule keeps its next three meetings, in the future.
    for panel in (north, south):
        assert panel.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()).count() == 3


def test_held_meetings_have_attendance_decisions_of_each_kind_actions_and_minutes(now):
    held = Meeting.objects.filter(status=MeetingStatus.HELD).select_related("panel")
    north = [m for m in held if m.panel.locality.code == "north"]

    assert len(north) >= 2
    assert len([m for m in held if m.panel.locality.code == "south"]) >= 1
    for meeting in held:
        assert meeting.starts_at < meeting.held_at < now
        assert meeting.minutes_notes
        assert meeting.attendance.count() == meeting.panel.members.count()
        assert set(meeting.attendance.values_list("status", flat=True)) & {
            Attendance.Status.APOLOGIES,
            Attendance.Status.ABSENT,
        }
        for item in meeting.items.all():
            decision = item.decisions.get()
            assert meeting.starts_at <= decision.decided_at < meeting.held_at
            assert item.added_at <= meeting.starts_at
    assert set(PanelDecision.objects.values_list("outcome", flat=True)) == {
        PanelOutcome.ALLOCATE,
        PanelOutcome.DEFER,
        PanelOutcome.NOT_FOR_PANEL,
    }
    # A deferred case is on the next meeting's agenda.
    for decision in PanelDecision.objects.filter(outcome=PanelOutcome.DEFER):
        assert AgendaItem.objects.filter(meeting=decision.deferred_to, case=decision.item.case).exists()
    assert MeetingAction.objects.filter(done_at__isnull=False).exists()
    assert MeetingAction.objects.filter(done_at__isnull=True, due_on__gte=now.date()).exists()
    # The decisions are in the families' chronologies, when they were made.
    for decision in PanelDecision.objects.select_related("item"):
        entries = ChronologyEntry.objects.filter(case=decision.item.case, event="panel_decision")
        assert any(abs(e.occurred_at - decision.decided_at) < datetime.timedelta(seconds=5) for e in entries)


def test_the_next_north_meeting_has_its_agenda_sent(now):
    north = Panel.objects.get(locality__code="north")
    upcoming = north.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at").first()

    assert upcoming.starts_at > now
    assert 3 <= upcoming.items.count() <= 4
    assert upcoming.agenda_sent_at < now
    assert [i.position for i in upcoming.items.order_by("position")] == list(range(1, upcoming.items.count() + 1))
    for item in upcoming.items.select_related("case"):
        assert item.case.panel_route and item.case.status == CaseStatus.AWAITING_ALLOCATION


def test_cases_wait_for_each_panel_some_past_the_ten_days(coordinator, now):
    for panel in Panel.objects.all():
        waiting = list(waiting_list(user=coordinator, panel=panel))
        assert len(waiting) >= 2
        assert any(now - case.received_at > datetime.timedelta(days=10) for case in waiting)
        assert any(now - case.received_at < datetime.timedelta(days=10) for case in waiting)
    # Partners were asked about a case in each: one answered in North, none yet (and late) in South.
    asked = {
        panel.locality.code: {
            (c.partners_asked, c.partners_answered) for c in waiting_list(user=coordinator, panel=panel)
        }
        for panel in Panel.objects.select_related("locality")
    }
    assert (2, 1) in asked["north"] and (2, 0) in asked["south"]
    late = InformationRequest.objects.filter(case__isnull=False, answered_at__isnull=True, due_at__lt=now)
    assert late.count() == 2
    assert InformationRequest.objects.filter(case__isnull=False, answered_at__lt=now).count() == 1
    for case in Case.objects.exclude(panel_route="").filter(panel_route=PanelRoute.FRONT_DOOR):
        clock = Deadline.objects.get(subject_type="case", subject_id=case.pk, timescale__code="front-door-to-offer")
        referral = Referral.objects.get(case=case)
        assert clock.started_at == referral.received_at
        assert clock.due_at - clock.started_at == datetime.timedelta(days=10)
        assert case.panel_waiting_since <= now
        assert referral.received_at < case.panel_waiting_since


def test_allocations_await_a_lead_professional_one_overdue(now):
    awaiting = Case.objects.filter(
        status=CaseStatus.AWAITING_LEAD_PROFESSIONAL, panel_items__decisions__outcome=PanelOutcome.ALLOCATE
    ).distinct()
    clocks = Deadline.objects.filter(
        subject_type="case",
        subject_id__in=awaiting.values("pk"),
        timescale__code="lead-professional",
        met_at__isnull=True,
        cancelled_at__isnull=True,
    )

    assert awaiting.count() >= 2
    assert clocks.count() == awaiting.count()
    overdue = [clock for clock in clocks if clock.due_at < now]
    assert overdue
    assert any(clock.due_at > now for clock in clocks)
    for clock in clocks:
        decision = PanelDecision.objects.get(item__case_id=clock.subject_id, outcome=PanelOutcome.ALLOCATE)
        assert clock.started_at == decision.decided_at
        assert clock.due_at == clock.started_at + datetime.timedelta(weeks=1)
        assert set(clock.alarms.values_list("kind", "goes_off_at")) == {
            (DeadlineAlarm.Kind.REMINDER, clock.remind_at),
            (DeadlineAlarm.Kind.ESCALATION, clock.due_at),
        }


def test_a_case_sent_back_as_disengaged_waits_again(coordinator, now):
    case = Case.objects.get(panel_route=PanelRoute.DISENGAGED)

    assert case.status == CaseStatus.AWAITING_ALLOCATION
    assert case.lead_professional.username == "lead.professional"
    assert case.panel_note
    returned = ChronologyEntry.objects.get(case=case, event="case_return_to_panel")
    assert returned.author.username == "lead.professional"
    assert case.panel_items.filter(decisions__outcome=PanelOutcome.ALLOCATE).exists()
    north = Panel.objects.get(locality__code="north")
    assert case.pk in {c.pk for c in waiting_list(user=coordinator, panel=north)}
    assert case.panel_waiting_since < now - datetime.timedelta(days=3)


def test_every_panel_referral_has_its_letter_and_the_coordinator_acts_as_a_coordinator(demo, db):
    coordinator = User.objects.get(username="panel.coordinator")

    assert coordinator.roles == {Role.PANEL_COORDINATOR}
    assert not PanelDecision.objects.exclude(decided_by=coordinator).exists()
    panel_referrals = Referral.objects.filter(case__panel_items__isnull=False).distinct()
    assert panel_referrals.exists()
    assert ReferrerLetter.objects.filter(referral__in=panel_referrals).count() >= panel_referrals.count()


def test_the_referrers_of_families_the_panel_settled_have_its_letter_made_after_the_meeting(now):
    settled = PanelDecision.objects.filter(
        outcome__in=[PanelOutcome.ALLOCATE, PanelOutcome.NOT_FOR_PANEL, PanelOutcome.STEP_UP],
        item__route=PanelRoute.FRONT_DOOR,
        amended_by__isnull=True,
    ).select_related("item")
    letters = ReferrerLetter.objects.filter(panel_decision__isnull=False).select_related("panel_decision")

    assert settled.exists()
    assert {decision.pk for decision in settled} <= {letter.panel_decision_id for letter in letters}
    assert not letters.filter(panel_decision__outcome=PanelOutcome.DEFER).exists()
    for letter in letters:
        assert (
            datetime.timedelta(0) < letter.created_at - letter.panel_decision.decided_at < datetime.timedelta(hours=1)
        )
        assert letter.created_at < now
