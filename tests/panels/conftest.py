"""A north panel with standing members, a meeting that has started and one ahead, and cases waiting."""

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.deadlines import deadline_start
from cases.models import PanelRoute
from cases.roles import Role
from panels import services
from panels.models import Meeting, Panel
from tests.factories import family_with_members


def offer_clock(case, *, days_ago: int):
    """The front door received the referral `days_ago` days ago (its 10-day clock started then)."""
    deadline_start(
        timescale_code="front-door-to-offer",
        subject_type="case",
        subject_id=case.pk,
        case=case,
        reference=case.reference,
        started_at=timezone.now() - datetime.timedelta(days=days_ago),
        remind_role=Role.PANEL_COORDINATOR,
    )


def waiting_case(w, *, locality=None, route=PanelRoute.FRONT_DOOR):
    family = family_with_members(locality=locality or w.north)
    return case_services.case_open(actor=w.duty_manager, family=family, level_of_need=w.level3, panel_route=route)


@pytest.fixture
def panel(world):
    w = world
    today = timezone.localdate()
    panel = services.panel_create(
        actor=w.panel_coordinator,
        name="North Early Help Panel",
        locality=w.north,
        first_meeting_on=today - datetime.timedelta(days=today.weekday()) - datetime.timedelta(days=28),
        weekday=1,
        meets_at=datetime.time(10, 0),
        venue="North Family Hub",
    )
    w.school_member = services.panel_member_add(
        actor=w.panel_coordinator, panel=panel, agency=w.school, user=w.school_practitioner, role="School"
    )
    w.health_member = services.panel_member_add(
        actor=w.panel_coordinator, panel=panel, agency=w.health, user=w.health_practitioner, role="Health"
    )
    return panel


@pytest.fixture
def meeting_now(panel):
    """A meeting that started an hour ago (decisions are recorded at the meeting)."""
    starts = timezone.now() - datetime.timedelta(hours=1)
    return Meeting.objects.create(
        panel=panel, slot_on=timezone.localdate(starts) - datetime.timedelta(days=700), starts_at=starts
    )


@pytest.fixture
def upcoming(panel) -> list[Meeting]:
    return list(Meeting.objects.filter(panel=panel, starts_at__gt=timezone.now()).order_by("starts_at"))


__all__ = ["Panel", "offer_clock", "waiting_case"]
