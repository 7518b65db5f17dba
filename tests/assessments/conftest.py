"""An active case led by `world.lead` (north team), the seeded tools, and a helper that records a
reading through the service."""

import datetime

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from assessments import services
from assessments.configuration import seed_outcome_tools
from assessments.models import OutcomeTool
from cases.models import Person
from tests.conftest import open_case


@pytest.fixture(autouse=True)
def _outcome_tools(db):
    # Migration 0003 seeds them; transactional tests flush them away: then seed them again.
    if not OutcomeTool.objects.exists():
        seed_outcome_tools(django_apps)


@pytest.fixture
def case(world):
    case = open_case(world)
    # Readings may be dated from the day the case opened: open it a while ago.
    type(case).objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=200))
    case.refresh_from_db()
    return case


def tool(code: str) -> OutcomeTool:
    return OutcomeTool.objects.get(code=code)


def child_of(case) -> Person:
    return Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def record(case, code: str, values: list[int], *, actor=None, person=None, taken_on=None, note=""):
    """A reading of tool `code` with `values` in the order of its areas, by the case's lead professional."""
    the_tool = tool(code)
    areas = list(the_tool.areas.all())
    if the_tool.about_a_person and person is None:
        person = child_of(case)
    return services.reading_record(
        actor=actor or case.lead_professional,
        case=case,
        tool=the_tool,
        person=person,
        taken_on=taken_on or timezone.localdate(),
        scores={area.pk: value for area, value in zip(areas, values, strict=True)},
        note=note,
    )
