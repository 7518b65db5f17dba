"""The case page's "Assessment, plan and reviews" section: where the lead professional's work stands,
read in one query however much there is, for those who see the family's details only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import (
    ActionStatus,
    Assessment,
    AssessmentStatus,
    Plan,
    PlanAction,
    Review,
    ReviewDecision,
    TafMeeting,
)
from assessments.summary import case_work_summary
from cases import services
from cases.models import Consent
from tests.conftest import open_case

TITLE = "Assessment, plan and reviews"


def page(client, case) -> str:
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def queries(client, case) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, case)
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return len([q for q in captured.captured_queries if not q["sql"].startswith(control)])


def busy(world, case) -> None:
    """An approved assessment, an agreed plan with three open actions (one overdue) and one done, a
    TAF meeting planned, two reviews held."""
    now, today = timezone.now(), timezone.localdate()
    Assessment.objects.create(
        case=case,
        version=1,
        status=AssessmentStatus.APPROVED,
        started_by=world.lead,
        submitted_at=now,
        submitted_by=world.lead,
        decided_at=now,
        decided_by=world.team_manager,
    )
    plan = Plan.objects.create(case=case, created_by=world.lead, agreed_on=today - datetime.timedelta(days=60))
    for days, status in ((-3, ActionStatus.ON_TRACK), (10, ActionStatus.NOT_STARTED), (20, ActionStatus.BEHIND)):
        PlanAction.objects.create(
            plan=plan,
            case=case,
            what="Go with mum to the housing advice drop-in",
            owner_user=world.lead,
            due_on=today + datetime.timedelta(days=days),
            measure="Arrears plan agreed",
            status=status,
            created_by=world.lead,
        )
    PlanAction.objects.create(
        plan=plan,
        case=case,
        what="Book the GP appointment",
        owner_user=world.lead,
        due_on=today - datetime.timedelta(days=30),
        measure="Attended",
        status=ActionStatus.DONE,
        created_by=world.lead,
    )
    TafMeeting.objects.create(case=case, starts_at=now + datetime.timedelta(days=9), planned_by=world.lead)
    for number in (1, 2):
        Review.objects.create(
            case=case,
            number=number,
            held_on=today - datetime.timedelta(days=40 - number),
            summary="Going well.",
            family_view="Better at home.",
            decision=ReviewDecision.CONTINUE,
            recorded_by=world.lead,
        )


def test_a_case_with_nothing_yet_says_so(world):
    summary = case_work_summary(case=open_case(world))

    assert summary.assessment_words == "Not started"
    assert (summary.has_plan, summary.open_actions, summary.overdue_actions) == (False, 0, 0)
    assert (summary.next_taf, summary.reviews_done) == (None, 0)


def test_the_figures_are_the_cases_own(world):
    case, other = open_case(world), open_case(world)
    busy(world, case)

    summary = case_work_summary(case=case)

    assert summary.assessment_words == "Version 1: approved"
    assert summary.has_plan and summary.plan_agreed_on == timezone.localdate() - datetime.timedelta(days=60)
    assert (summary.open_actions, summary.overdue_actions, summary.reviews_done) == (3, 1, 2)
    assert summary.next_taf is not None
    assert case_work_summary(case=other).open_actions == 0


def test_the_section_reads_the_same_queries_for_a_quiet_or_a_busy_case(world, client_for):
    quiet, full = open_case(world), open_case(world)
    busy(world, full)
    client = client_for(world.lead)
    page(client, quiet)

    assert queries(client, quiet) == queries(client, full)
    content = page(client, full)
    assert TITLE in content and "3 open actions" in content and "1 overdue" in content and "2 held" in content


def test_an_active_case_with_no_taf_planned_is_flagged(world, client_for):
    content = page(client_for(world.lead), open_case(world))

    assert TITLE in content and "None planned" in content and "govuk-tag--red" in content


@pytest.mark.parametrize("status", ["awaiting_allocation", "awaiting_lead_professional"])
def test_a_case_not_yet_led_has_no_section(world, client_for, status):
    case = open_case(world, status=status)

    assert TITLE not in page(client_for(world.duty_manager), case)


def test_a_partner_the_family_has_not_agreed_to_share_with_does_not_see_it(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "School")])
    busy(world, case)

    assert TITLE not in page(client_for(world.school_practitioner), case)
    parent = case.family.people.get(kind="adult")
    services.consent_record(
        actor=world.lead,
        family=case.family,
        person=parent,
        scope=Consent.Scope.SHARING,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.WRITTEN,
        decided_on=timezone.localdate(),
        agency=world.school,
        case=case,
    )
    assert TITLE in page(client_for(world.school_practitioner), case)


def test_a_step_up_shows_on_the_case_until_and_after_the_front_door_decides(world, client_for):
    from front_door.step_up import referral_from_step_up

    case = open_case(world)
    client = client_for(world.lead)
    assert "Children's social care" not in page(client, case)

    referral_from_step_up(actor=world.lead, case=case, reason="Bruising seen at school; harm suspected.")

    content = page(client, case)
    assert "Stepped up" in content and "Waiting for the front door's decision" in content
    assert case_work_summary(case=case).step_up_waits
