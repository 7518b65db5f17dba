"""Closing a case, by whichever path, cancels every clock of the case still running (not meets it),
deletes their alarms still waiting, keeps the alarms that went off and leaves met clocks met; another
case's clocks run on."""

import datetime

import pytest
from django.utils import timezone

from cases import services
from cases.deadlines import deadline_meet, deadline_start, deadlines_sweep
from cases.models import Case, CaseStatus, ClosureReason, Deadline, DeadlineAlarm
from cases.roles import Role
from cases.signals import case_moved
from panels import services as panel_services
from tests.conftest import open_case
from tests.panels.conftest import meeting_now, panel, waiting_case  # noqa: F401 (fixtures)


def start_clocks(case: Case) -> dict[str, Deadline]:
    """Clocks of every kind a case carries: running about the case, running with its reminder gone
    (the escalation still waiting), met, and one about something of the case (a review, say)."""
    now = timezone.now()
    clocks = {
        "running": deadline_start(
            timescale_code="assessment",
            subject_type="case",
            subject_id=case.pk,
            case=case,
            reference=case.reference,
            remind_role=Role.LEAD_PROFESSIONAL,
            escalate_role=Role.TEAM_MANAGER,
        ),
        # Its reminder is due at once (72 hours before a due date an hour away), its escalation later.
        "reminded": deadline_start(
            timescale_code="review-1",
            subject_type="case",
            subject_id=case.pk,
            case=case,
            reference=case.reference,
            started_at=now - datetime.timedelta(days=30),
            due_at=now + datetime.timedelta(hours=1),
            remind_role=Role.LEAD_PROFESSIONAL,
            escalate_role=Role.TEAM_MANAGER,
        ),
        "met": deadline_start(
            timescale_code="review-2",
            subject_type="case",
            subject_id=case.pk,
            case=case,
            reference=case.reference,
            remind_role=Role.LEAD_PROFESSIONAL,
        ),
        # A clock about another record of the case (its subject is not the case): it carries the case.
        "carried": deadline_start(
            timescale_code="review-3",
            subject_type="review",
            subject_id=900_000 + case.pk,
            case=case,
            reference=case.reference,
            remind_role=Role.LEAD_PROFESSIONAL,
        ),
    }
    deadline_meet(timescale_code="review-2", subject_type="case", subject_id=case.pk)
    deadlines_sweep(now=now)
    return clocks


def assert_cancelled_on_closure(clocks: dict[str, Deadline]) -> None:
    for name in ("running", "reminded", "carried"):
        clock = Deadline.objects.get(pk=clocks[name].pk)
        assert clock.cancelled_at is not None, name
        assert clock.met_at is None, name
        assert not clock.alarms.filter(went_off_at__isnull=True).exists(), name
    reminded = Deadline.objects.get(pk=clocks["reminded"].pk)
    assert list(reminded.alarms.values_list("kind", flat=True)) == [DeadlineAlarm.Kind.REMINDER]
    met = Deadline.objects.get(pk=clocks["met"].pk)
    assert met.met_at is not None
    assert met.cancelled_at is None


def test_the_reminded_clock_went_off_before_the_closure(world):
    case = open_case(world, status="active")

    clocks = start_clocks(case)

    reminded = Deadline.objects.get(pk=clocks["reminded"].pk)
    assert reminded.reminded_at is not None
    assert reminded.alarms.filter(kind=DeadlineAlarm.Kind.ESCALATION, went_off_at__isnull=True).exists()


def test_signing_off_closure_cancels_every_clock_of_the_case(world):
    case = open_case(world, status="closure_requested")
    other = open_case(world, status="active")
    clocks = start_clocks(case)
    others = start_clocks(other)

    services.case_sign_off_closure(actor=world.team_manager, case=case)

    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert_cancelled_on_closure(clocks)
    assert Deadline.objects.get(pk=others["running"].pk).is_running
    assert Deadline.objects.get(pk=others["carried"].pk).is_running


@pytest.mark.parametrize("status", ["awaiting_allocation", "awaiting_lead_professional"])
def test_closing_before_allocation_cancels_every_clock_of_the_case(world, status):
    case = open_case(world, status=status)
    clocks = start_clocks(case)

    services.case_close_unallocated(
        actor=world.panel_coordinator, case=case, reason=world.outcomes_met, summary="The family moved away."
    )

    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert_cancelled_on_closure(clocks)


def test_closing_as_opened_in_error_cancels_every_clock_of_the_case(world):
    case = open_case(world, status="awaiting_allocation")
    clocks = start_clocks(case)

    services.case_close_opened_in_error(
        actor=world.duty_manager,
        case=case,
        reason=ClosureReason.objects.get(code="opened-in-error"),
        summary="The decision was amended.",
    )

    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert_cancelled_on_closure(clocks)


@pytest.mark.parametrize(("outcome", "route"), [("not_for_panel", "single_agency"), ("step_up", "")])
def test_a_panel_decision_that_closes_the_case_cancels_every_clock_of_it(world, meeting_now, outcome, route):  # noqa: F811
    case = waiting_case(world)
    item = panel_services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=case)
    clocks = start_clocks(case)

    panel_services.decision_record(
        actor=world.panel_coordinator,
        item=item,
        outcome=outcome,
        not_for_panel_route=route,
        reason="The school can meet these needs.",
    )

    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert_cancelled_on_closure(clocks)


def test_a_clock_started_on_closure_by_a_receiver_runs_on(world):
    # The clocks are cancelled before the move is announced: an app may start one that runs after it.
    case = open_case(world, status="closure_requested")

    def start_follow_up(sender, *, case, to_status, **kwargs):
        deadline_start(
            timescale_code="review-3", subject_type="case", subject_id=case.pk, case=case, reference=case.reference
        )

    case_moved.connect(start_follow_up, dispatch_uid="test-follow-up")
    try:
        services.case_sign_off_closure(actor=world.team_manager, case=case)
    finally:
        case_moved.disconnect(dispatch_uid="test-follow-up")

    follow_up = Deadline.objects.get(subject_type="case", subject_id=case.pk, timescale__code="review-3")
    assert follow_up.is_running


def test_a_move_that_is_no_closure_cancels_nothing(world):
    case = open_case(world, status="closure_requested")
    clocks = start_clocks(case)

    services.case_return_closure(actor=world.team_manager, case=case, note="Check attendance has held for a term.")

    assert Deadline.objects.get(pk=clocks["running"].pk).is_running
    assert Deadline.objects.get(pk=clocks["carried"].pk).is_running


def test_case_clocks_cancel_counts_what_it_cancelled(world):
    case = open_case(world, status="active")
    start_clocks(case)

    assert services.case_clocks_cancel(case=case) == 3
    assert services.case_clocks_cancel(case=case) == 0
