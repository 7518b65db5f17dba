"""The case lifecycle: every move between two statuses, who may make each move, the database's own
guard on what a status needs, and the row lock that stops two people closing a case at once."""

import itertools
import threading
import time
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases import services
from cases.models import Case, CaseStatus, ChronologyEntry, User
from cases.roles import Role
from cases.services import ACTION_RULES, ALLOWED_TRANSITIONS, TransitionNotAllowed
from tests.conftest import open_case as _open_case
from tests.factories import TeamFactory, UserFactory

S = CaseStatus

# Written out by hand, so a change to the service's table has to be made here too.
EXPECTED_TRANSITIONS = {
    (S.AWAITING_ALLOCATION, S.AWAITING_LEAD_PROFESSIONAL): "allocate",
    (S.AWAITING_LEAD_PROFESSIONAL, S.ACTIVE): "assign_lead_professional",
    (S.ACTIVE, S.CLOSURE_REQUESTED): "request_closure",
    (S.CLOSURE_REQUESTED, S.ACTIVE): "return_closure",
    (S.CLOSURE_REQUESTED, S.CLOSED): "sign_off_closure",
    (S.AWAITING_ALLOCATION, S.CLOSED): "close_unallocated",
    (S.AWAITING_LEAD_PROFESSIONAL, S.CLOSED): "close_unallocated",
    (S.ACTIVE, S.AWAITING_ALLOCATION): "return_to_panel",
}

# The status each service moves a case to.
SERVICE_TARGET = {
    "allocate": S.AWAITING_LEAD_PROFESSIONAL,
    "assign_lead_professional": S.ACTIVE,
    "request_closure": S.CLOSURE_REQUESTED,
    "return_closure": S.ACTIVE,
    "sign_off_closure": S.CLOSED,
    "close_unallocated": S.CLOSED,
    "return_to_panel": S.AWAITING_ALLOCATION,
}

# Who takes each allowed move in the pair table.
MOVER = {
    "allocate": "panel_coordinator",
    "assign_lead_professional": "team_manager",
    "request_closure": "lead",
    "return_closure": "team_manager",
    "sign_off_closure": "team_manager",
    "close_unallocated": "panel_coordinator",
    "return_to_panel": "lead",
}


def take(action, *, world, case, actor):
    """Call the service for `action` with ordinary, valid arguments."""
    calls = {
        "allocate": lambda: services.case_allocate(actor=actor, case=case, lead_agency=world.council, team=world.team),
        "assign_lead_professional": lambda: services.case_assign_lead_professional(
            actor=actor, case=case, lead_professional=world.lead
        ),
        "request_closure": lambda: services.case_request_closure(
            actor=actor, case=case, reason=world.outcomes_met, summary="All four goals met and sustained."
        ),
        "return_closure": lambda: services.case_return_closure(
            actor=actor, case=case, note="Check attendance has held for a term first."
        ),
        "sign_off_closure": lambda: services.case_sign_off_closure(actor=actor, case=case, note="Good progress."),
        "close_unallocated": lambda: services.case_close_unallocated(
            actor=actor, case=case, reason=world.outcomes_met, summary="The family moved out of the area."
        ),
        "return_to_panel": lambda: services.case_return_to_panel(
            actor=actor, case=case, route="disengaged", note="No contact since the last review."
        ),
    }
    return calls[action]()


def open_case(world, **kwargs):
    # conftest's open_case returns the object it opened, not refreshed, when it stops at awaiting a
    # lead professional; action_allowed reads the status from the object.
    case = _open_case(world, **kwargs)
    case.refresh_from_db()
    return case


def events(case):
    return list(ChronologyEntry.objects.filter(case=case).values_list("event", flat=True))


@pytest.fixture
def cast(world):
    """The world's users and a few more: someone holding every role in the north's team, a panel
    coordinator for the south, and a manager of the council's other team."""
    south_panel = TeamFactory(name="South Panel", agency=world.council, locality=world.south)
    world.every_role = UserFactory(
        username="every-role",
        agency=world.council,
        team=world.team,
        roles=[Role.PANEL_COORDINATOR, Role.TEAM_MANAGER, Role.LEAD_PROFESSIONAL, Role.DUTY_MANAGER],
    )
    world.south_coordinator = UserFactory(
        username="panel-south", agency=world.council, team=south_panel, roles=[Role.PANEL_COORDINATOR]
    )
    world.council_manager_south = UserFactory(
        username="manager-south", agency=world.council, team=world.other_team, roles=[Role.TEAM_MANAGER]
    )
    return world


# --- Every pair of statuses ---------------------------------------------------------------------------

ALL_PAIRS = list(itertools.product(S, S))
SERVICE_MOVES = [(frm, to, action) for frm in S for action, to in SERVICE_TARGET.items()]
ALLOWED_MOVES = [m for m in SERVICE_MOVES if EXPECTED_TRANSITIONS.get((m[0], m[1])) == m[2]]
# Assigning a lead professional to an active case (or one awaiting closure sign-off) changes the lead
# without moving the case: tested below and in test_services.py.
LEAD_CHANGES = [
    (S.ACTIVE, S.ACTIVE, "assign_lead_professional"),
    (S.CLOSURE_REQUESTED, S.ACTIVE, "assign_lead_professional"),
]
FORBIDDEN_MOVES = [m for m in SERVICE_MOVES if m not in ALLOWED_MOVES and m not in LEAD_CHANGES]
# Every service now moves to some status, so every pair is tried above; the helper every service
# uses must also refuse a pair made by the wrong action (each pair, with one action that is not its).
WRONG_ACTION_MOVES = [
    (frm, to, next(action for action in SERVICE_TARGET if action != EXPECTED_TRANSITIONS.get((frm, to))))
    for frm, to in ALL_PAIRS
]


def test_the_transition_table_is_the_expected_one():
    assert dict(ALLOWED_TRANSITIONS) == EXPECTED_TRANSITIONS
    assert set(ACTION_RULES) == set(SERVICE_TARGET)
    assert {ALLOWED_TRANSITIONS[pair] for pair in ALLOWED_TRANSITIONS} == set(SERVICE_TARGET)


def test_every_pair_of_statuses_is_tried():
    tried = {(frm, to) for frm, to, _action in ALLOWED_MOVES + FORBIDDEN_MOVES}
    assert tried == set(ALL_PAIRS)
    assert {(frm, to) for frm, to, _action in WRONG_ACTION_MOVES} == set(ALL_PAIRS)
    assert len(ALL_PAIRS) == 25
    assert len(ALLOWED_MOVES) == 8


@pytest.mark.parametrize(("from_status", "to_status", "action"), ALLOWED_MOVES)
def test_allowed_move_succeeds_and_is_recorded(world, from_status, to_status, action):
    case = open_case(world, status=from_status)
    actor = getattr(world, MOVER[action])
    before = ChronologyEntry.objects.filter(case=case).count()

    moved = take(action, world=world, case=case, actor=actor)

    case.refresh_from_db()
    assert moved.status == to_status
    assert case.status == to_status
    entry = ChronologyEntry.objects.filter(case=case).order_by("-id").first()
    assert entry.event == f"case_{action}"
    assert entry.author == actor
    assert entry.kind == ChronologyEntry.Kind.EVENT
    assert ChronologyEntry.objects.filter(case=case).count() == before + 1


@pytest.mark.parametrize(("from_status", "to_status", "action"), FORBIDDEN_MOVES)
def test_forbidden_move_is_refused_and_changes_nothing(cast, from_status, to_status, action):
    case = open_case(cast, status=from_status)
    before = events(case)

    # Someone holding every role and permission on the case: only the lifecycle itself can refuse.
    with pytest.raises(TransitionNotAllowed) as error:
        take(action, world=cast, case=case, actor=cast.every_role)

    assert error.value.code == "transition"
    assert Case.objects.get(pk=case.pk).status == from_status
    assert events(case) == before
    assert services.action_allowed(actor=cast.every_role, case=case, action=action) is False


@pytest.mark.parametrize(("from_status", "to_status", "action"), WRONG_ACTION_MOVES)
def test_a_move_is_made_only_by_its_own_action(cast, from_status, to_status, action):
    case = open_case(cast, status=from_status)
    before = events(case)

    with pytest.raises(TransitionNotAllowed, match=f"cannot be moved to {to_status.label.lower()}"):
        services._transition(actor=cast.every_role, case_id=case.pk, to=to_status, action=action, summary="Moved")

    assert Case.objects.get(pk=case.pk).status == from_status
    assert events(case) == before


def test_forbidden_move_message_names_both_statuses(world):
    case = open_case(world, status="closed")

    with pytest.raises(TransitionNotAllowed) as error:
        services.case_request_closure(actor=world.team_manager, case=case, reason=world.outcomes_met, summary="Again")

    assert error.value.messages == ["A case that is closed cannot be moved to closure requested."]


@pytest.mark.parametrize("from_status", [S.ACTIVE, S.CLOSURE_REQUESTED])
def test_assigning_a_lead_to_a_led_case_changes_the_lead_not_the_status(world, from_status):
    case = open_case(world, status=from_status)

    services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.other_lead)

    case.refresh_from_db()
    assert case.status == from_status
    assert case.lead_professional == world.other_lead
    assert events(case)[0] == "case_lead_changed"


# --- Who may take each action -------------------------------------------------------------------------

# (action, status the case is in, actor)
MAY = [
    ("allocate", S.AWAITING_ALLOCATION, "panel_coordinator"),
    ("allocate", S.AWAITING_ALLOCATION, "manager_coordinator"),
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "team_manager"),
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "manager_coordinator"),
    ("request_closure", S.ACTIVE, "lead"),
    ("request_closure", S.ACTIVE, "team_manager"),
    ("return_closure", S.CLOSURE_REQUESTED, "team_manager"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "team_manager"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "manager_coordinator"),
    ("close_unallocated", S.AWAITING_ALLOCATION, "panel_coordinator"),
    ("close_unallocated", S.AWAITING_LEAD_PROFESSIONAL, "panel_coordinator"),
    ("close_unallocated", S.AWAITING_LEAD_PROFESSIONAL, "team_manager"),
    ("return_to_panel", S.ACTIVE, "lead"),
    ("return_to_panel", S.ACTIVE, "team_manager"),
    ("return_to_panel", S.ACTIVE, "manager_coordinator"),
]

MAY_NOT = [
    # A team manager acts on their own team's cases, not another team's in the same agency.
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "council_manager_south"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "council_manager_south"),
    # The team manager has the role but no hold on a case not yet given to their team or agency.
    ("allocate", S.AWAITING_ALLOCATION, "team_manager"),
    ("allocate", S.AWAITING_ALLOCATION, "south_coordinator"),  # another locality's panel
    ("allocate", S.AWAITING_ALLOCATION, "school_practitioner"),
    ("allocate", S.AWAITING_ALLOCATION, "lead"),
    ("allocate", S.AWAITING_ALLOCATION, "duty_manager"),
    ("allocate", S.AWAITING_ALLOCATION, "analyst"),
    ("allocate", S.AWAITING_ALLOCATION, "administrator"),
    # A superuser configures the system: no role, so no case work.
    ("allocate", S.AWAITING_ALLOCATION, "superuser"),
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "superuser"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "superuser"),
    # A duty manager who also leads families reads every case but changes none they do not lead.
    ("allocate", S.AWAITING_ALLOCATION, "duty_lead"),
    ("request_closure", S.ACTIVE, "duty_lead"),
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "other_manager"),  # another agency's manager
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "panel_coordinator"),
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "lead"),
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "duty_manager"),
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "school_practitioner"),
    ("assign_lead_professional", S.AWAITING_LEAD_PROFESSIONAL, "analyst"),
    ("request_closure", S.ACTIVE, "other_lead"),  # a lead professional, not of this family
    ("request_closure", S.ACTIVE, "school_practitioner"),  # in the team around the family
    ("request_closure", S.ACTIVE, "panel_coordinator"),
    ("request_closure", S.ACTIVE, "other_manager"),
    ("request_closure", S.ACTIVE, "duty_manager"),
    ("request_closure", S.ACTIVE, "analyst"),
    ("return_closure", S.CLOSURE_REQUESTED, "lead"),
    ("return_closure", S.CLOSURE_REQUESTED, "other_manager"),
    ("return_closure", S.CLOSURE_REQUESTED, "panel_coordinator"),
    ("return_closure", S.CLOSURE_REQUESTED, "analyst"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "lead"),  # nobody signs off their own closure
    ("sign_off_closure", S.CLOSURE_REQUESTED, "other_manager"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "panel_coordinator"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "school_practitioner"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "duty_manager"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "analyst"),
    ("sign_off_closure", S.CLOSURE_REQUESTED, "administrator"),
    ("close_unallocated", S.AWAITING_ALLOCATION, "team_manager"),
    ("close_unallocated", S.AWAITING_ALLOCATION, "south_coordinator"),
    ("close_unallocated", S.AWAITING_ALLOCATION, "school_practitioner"),
    ("close_unallocated", S.AWAITING_ALLOCATION, "lead"),
    ("close_unallocated", S.AWAITING_ALLOCATION, "duty_manager"),
    ("close_unallocated", S.AWAITING_ALLOCATION, "analyst"),
    ("close_unallocated", S.AWAITING_LEAD_PROFESSIONAL, "other_manager"),
    ("close_unallocated", S.AWAITING_LEAD_PROFESSIONAL, "lead"),
    ("close_unallocated", S.AWAITING_LEAD_PROFESSIONAL, "analyst"),
    ("return_to_panel", S.ACTIVE, "other_lead"),  # a lead professional, not of this family
    ("return_to_panel", S.ACTIVE, "school_practitioner"),  # in the team, not leading it
    ("return_to_panel", S.ACTIVE, "council_manager_south"),  # another team's manager
    ("return_to_panel", S.ACTIVE, "other_manager"),
    ("return_to_panel", S.ACTIVE, "panel_coordinator"),  # the panel takes the case back, it does not send it
    ("return_to_panel", S.ACTIVE, "duty_manager"),
    ("return_to_panel", S.ACTIVE, "duty_lead"),
    ("return_to_panel", S.ACTIVE, "analyst"),
    ("return_to_panel", S.ACTIVE, "superuser"),
]


def test_every_action_has_people_who_may_and_may_not_take_it():
    assert {action for action, _status, _actor in MAY} == set(ACTION_RULES)
    assert {action for action, _status, _actor in MAY_NOT} == set(ACTION_RULES)
    assert {action for action, _status, actor in MAY_NOT if actor == "analyst"} == set(ACTION_RULES)


def case_with_member(world, status):
    """A north case led by `world.lead`, with the school practitioner in the team once it is active."""
    return open_case(world, status=status, members=[(world.school_practitioner, "Attendance officer")])


@pytest.mark.parametrize(("action", "status", "actor_name"), MAY)
def test_actor_may_take_action(cast, action, status, actor_name):
    case = case_with_member(cast, status)
    actor = getattr(cast, actor_name)
    assert services.action_allowed(actor=actor, case=case, action=action) is True

    moved = take(action, world=cast, case=case, actor=actor)

    assert Case.objects.get(pk=case.pk).status == moved.status == SERVICE_TARGET[action]
    assert events(case)[0] == f"case_{action}"


@pytest.mark.parametrize(("action", "status", "actor_name"), MAY_NOT)
def test_actor_may_not_take_action(cast, action, status, actor_name):
    case = case_with_member(cast, status)
    actor = getattr(cast, actor_name)
    before = events(case)
    assert services.action_allowed(actor=actor, case=case, action=action) is False

    with pytest.raises(PermissionDenied):
        take(action, world=cast, case=case, actor=actor)

    assert Case.objects.get(pk=case.pk).status == status
    assert events(case) == before


# --- The database's own guard -------------------------------------------------------------------------


def test_database_refuses_a_closed_case_without_date_or_reason(world):
    case = open_case(world, status="active")

    with pytest.raises(IntegrityError, match="closed_case_has_date_and_reason"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=S.CLOSED)
    with pytest.raises(IntegrityError, match="closed_case_has_date_and_reason"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=S.CLOSED, closure_reason=world.outcomes_met)
    with pytest.raises(IntegrityError, match="closed_case_has_date_and_reason"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=S.CLOSED, closed_at=timezone.now())

    assert Case.objects.get(pk=case.pk).status == S.ACTIVE


def test_database_accepts_a_closed_case_with_date_and_reason(world):
    case = open_case(world, status="active")

    Case.objects.filter(pk=case.pk).update(status=S.CLOSED, closed_at=timezone.now(), closure_reason=world.outcomes_met)

    assert Case.objects.get(pk=case.pk).status == S.CLOSED


@pytest.mark.parametrize("status", [S.ACTIVE, S.CLOSURE_REQUESTED])
def test_database_refuses_a_led_status_without_a_lead_professional(world, status):
    case = open_case(world, status="awaiting_lead_professional")

    with pytest.raises(IntegrityError, match="active_case_has_lead_professional"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=status)

    assert Case.objects.get(pk=case.pk).status == S.AWAITING_LEAD_PROFESSIONAL


def test_database_refuses_removing_the_lead_of_an_active_case(world):
    case = open_case(world, status="active")

    with pytest.raises(IntegrityError, match="active_case_has_lead_professional"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(lead_professional=None)

    assert Case.objects.get(pk=case.pk).lead_professional == world.lead


def test_database_refuses_a_waiting_case_that_does_not_await_allocation(world):
    case = open_case(world, status="active")

    with pytest.raises(IntegrityError, match="case_panel_waiting_awaits_allocation"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(panel_route="stuck", panel_waiting_since=timezone.now())

    assert Case.objects.get(pk=case.pk).panel_route == ""


def test_database_refuses_a_panel_route_without_its_date_or_a_date_without_a_route(world):
    case = open_case(world, status="awaiting_allocation")

    with pytest.raises(IntegrityError, match="case_panel_waiting_awaits_allocation"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(panel_route="front_door")
    with pytest.raises(IntegrityError, match="case_panel_waiting_awaits_allocation"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(panel_waiting_since=timezone.now())
    with pytest.raises(IntegrityError, match="case_panel_route_valid"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(panel_route="lost", panel_waiting_since=timezone.now())

    Case.objects.filter(pk=case.pk).update(panel_route="front_door", panel_waiting_since=timezone.now())
    assert Case.objects.get(pk=case.pk).panel_route == "front_door"


def test_database_refuses_an_unknown_status(world):
    case = open_case(world, status="active")

    with pytest.raises(IntegrityError, match="case_status_valid"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="paused")


# --- Two people at once ------------------------------------------------------------------------------


def wait_until_another_transaction_waits_for_us(timeout: float = 10.0) -> bool:
    """Poll, from inside our own transaction, until another backend is blocked by a lock we hold."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_offs_one_succeeds_one_is_refused(world):
    case = open_case(world, status="closure_requested")
    manager_id = world.team_manager.pk
    real_record = services.chronology_record
    first_is_inside = threading.Event()
    saw_the_other_waiting = []
    outcomes = []

    def record_when_the_other_waits(**kwargs):
        # Called after the status is saved, inside the sign-off's transaction: hold the row until
        # the other sign-off is queued behind us. Without the row lock it would not queue here, but
        # read the old status and go on to sign off a second time.
        first_is_inside.set()
        saw_the_other_waiting.append(wait_until_another_transaction_waits_for_us())
        return real_record(**kwargs)

    def sign_off():
        try:
            manager = User.objects.get(pk=manager_id)
            services.case_sign_off_closure(actor=manager, case=Case.objects.get(pk=case.pk), note="Signed off")
            outcomes.append("signed off")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    with mock.patch("cases.services.chronology_record", side_effect=record_when_the_other_waits):
        first = threading.Thread(target=sign_off)
        second = threading.Thread(target=sign_off)
        first.start()
        assert first_is_inside.wait(timeout=10)
        second.start()
        first.join(timeout=30)
        second.join(timeout=30)

    assert not first.is_alive()
    assert not second.is_alive()
    assert sorted(outcomes) == ["refused", "signed off"]
    assert saw_the_other_waiting == [True]
    assert Case.objects.get(pk=case.pk).status == S.CLOSED
    assert ChronologyEntry.objects.filter(case=case, event="case_sign_off_closure").count() == 1
