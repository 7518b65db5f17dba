"""The shared record's services: opening a case, the team around the family, the lead professional,
notes, closing a case the front door opened in error, and what is left behind when a service fails
half way."""

import datetime
import importlib
import re
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.configuration import OPENED_IN_ERROR
from cases.deadlines import deadline_start
from cases.models import Case, CaseMember, CaseStatus, ChronologyEntry, ClosureReason, Deadline, Timescale, User
from cases.permissions import CHANGE_CASE, MANAGE_CASE, VIEW_CASE, user_has_case_perm
from cases.roles import Role
from cases.signals import case_moved
from tests.conftest import open_case as _open_case
from tests.factories import UserFactory, family_with_members


def open_case(world, **kwargs):
    # conftest's open_case hands back an unrefreshed object when it stops at awaiting a lead.
    case = _open_case(world, **kwargs)
    case.refresh_from_db()
    return case


def events(case):
    return list(ChronologyEntry.objects.filter(case=case).values_list("event", flat=True))


def current_members(case):
    return CaseMember.objects.filter(case=case, ended_at__isnull=True)


# --- Opening a case ---------------------------------------------------------------------------------


def test_case_open_awaits_allocation_and_records_it(world):
    family = family_with_members(locality=world.north)

    case = services.case_open(actor=world.duty_manager, family=family, level_of_need=world.level3)

    assert case.status == CaseStatus.AWAITING_ALLOCATION
    assert case.locality == world.north
    assert case.created_by == world.duty_manager
    entry = ChronologyEntry.objects.get(case=case)
    assert entry.event == "case_opened"
    assert entry.summary == f"Case {case.reference} opened ({world.level3.name})"


def test_case_open_gives_a_reference_of_this_year_numbered_in_sequence(world):
    year = timezone.localdate().year

    first = services.case_open(
        actor=world.duty_manager, family=family_with_members(locality=world.north), level_of_need=world.level3
    )
    second = services.case_open(
        actor=world.duty_manager, family=family_with_members(locality=world.north), level_of_need=world.level3
    )

    assert re.fullmatch(rf"C-{year}-\d{{6}}", first.reference)
    assert re.fullmatch(rf"C-{year}-\d{{6}}", second.reference)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_case_open_returns_the_familys_open_case_instead_of_a_second(world):
    family = family_with_members(locality=world.north)
    first = services.case_open(actor=world.duty_manager, family=family, level_of_need=world.level3)

    again = services.case_open(actor=world.panel_coordinator, family=family, level_of_need=world.level3)

    assert again.pk == first.pk
    assert Case.objects.filter(family=family).count() == 1
    assert events(first) == ["case_opened"]


def test_case_open_returns_an_active_case_too(world):
    case = open_case(world, status="active")

    again = services.case_open(actor=world.duty_manager, family=case.family, level_of_need=world.level3)

    assert again.pk == case.pk
    assert Case.objects.filter(family=case.family).count() == 1


def test_case_open_after_closure_opens_a_new_case(world):
    closed = open_case(world, status="closed")

    new = services.case_open(actor=world.duty_manager, family=closed.family, level_of_need=world.level3)

    assert new.pk != closed.pk
    assert new.status == CaseStatus.AWAITING_ALLOCATION
    assert Case.objects.filter(family=closed.family).count() == 2


def test_case_open_of_another_kind_is_a_separate_case(world):
    family = family_with_members(locality=world.north)
    early_help = services.case_open(actor=world.duty_manager, family=family, level_of_need=world.level3)

    section_17 = services.case_open(
        actor=world.duty_manager, family=family, level_of_need=world.level3, kind=Case.Kind.SECTION_17
    )

    assert section_17.pk != early_help.pk
    assert section_17.kind == Case.Kind.SECTION_17


def test_case_open_for_the_panel_waits_for_it_from_now(world):
    family = family_with_members(locality=world.north)
    before = timezone.now()

    case = services.case_open(
        actor=world.duty_manager, family=family, level_of_need=world.level3, panel_route="front_door"
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_ALLOCATION
    assert case.panel_route == "front_door"
    assert before <= case.panel_waiting_since <= timezone.now()
    assert case.panel_note == ""


def test_case_open_without_a_route_waits_for_no_panel(world):
    case = services.case_open(
        actor=world.duty_manager, family=family_with_members(locality=world.north), level_of_need=world.level3
    )

    case.refresh_from_db()
    assert (case.panel_route, case.panel_waiting_since) == ("", None)


def test_case_open_for_the_panel_makes_the_familys_open_case_wait(world):
    family = family_with_members(locality=world.north)
    first = services.case_open(actor=world.duty_manager, family=family, level_of_need=world.level3)

    again = services.case_open(
        actor=world.duty_manager, family=family, level_of_need=world.level3, panel_route="front_door"
    )

    first.refresh_from_db()
    assert again.pk == first.pk
    assert first.panel_route == "front_door"
    assert first.panel_waiting_since is not None
    assert events(first) == ["case_panel_waiting", "case_opened"]


def test_case_open_for_the_panel_keeps_a_waiting_case_as_it_waits(world):
    family = family_with_members(locality=world.north)
    first = services.case_open(actor=world.duty_manager, family=family, level_of_need=world.level3, panel_route="stuck")
    Case.objects.filter(pk=first.pk).update(panel_waiting_since=timezone.now() - datetime.timedelta(days=3))
    since = Case.objects.get(pk=first.pk).panel_waiting_since

    services.case_open(actor=world.duty_manager, family=family, level_of_need=world.level3, panel_route="front_door")

    first.refresh_from_db()
    assert (first.panel_route, first.panel_waiting_since) == ("stuck", since)
    assert events(first) == ["case_opened"]


@pytest.mark.parametrize("status", ["awaiting_lead_professional", "active"])
def test_case_open_for_the_panel_leaves_a_case_further_on_alone(world, status):
    case = open_case(world, status=status)

    again = services.case_open(
        actor=world.duty_manager, family=case.family, level_of_need=world.level3, panel_route="front_door"
    )

    again.refresh_from_db()
    assert again.pk == case.pk
    assert again.status == status
    assert again.panel_route == ""


def test_case_open_refuses_an_unknown_panel_route(world):
    with pytest.raises(ValueError, match="unknown panel route"):
        services.case_open(
            actor=world.duty_manager,
            family=family_with_members(locality=world.north),
            level_of_need=world.level3,
            panel_route="lost",
        )


# --- The panel's clocks and the moves' signal ----------------------------------------------------------


def start_clock(case, code):
    return deadline_start(
        timescale_code=code,
        subject_type="case",
        subject_id=case.pk,
        reference=case.reference,
        case=case,
        remind_role=Role.TEAM_MANAGER,
        escalate_role=Role.PANEL_COORDINATOR,
    )


def test_allocating_by_configuration_gives_the_case_to_the_team_whoever_asks(world):
    case = open_case(world, status="awaiting_allocation")

    services.case_allocate_by_configuration(
        actor=world.school_practitioner, case=case, team=world.team, reason="stepped down from social care"
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_LEAD_PROFESSIONAL
    assert (case.lead_agency, case.team) == (world.council, world.team)
    entry = ChronologyEntry.objects.get(case=case, event="case_allocate")
    assert entry.summary == "Lead agency: Council Family Support (stepped down from social care)"


@pytest.mark.parametrize("status", ["awaiting_allocation", "active"])
def test_allocating_by_configuration_leaves_the_panels_cases_and_cases_further_on_alone(world, status):
    case = open_case(world, status=status)
    if status == "awaiting_allocation":
        case = services.case_open(
            actor=world.duty_manager, family=case.family, level_of_need=world.level3, panel_route="front_door"
        )

    with pytest.raises(services.TransitionNotAllowed):
        services.case_allocate_by_configuration(actor=world.duty_manager, case=case, team=world.team, reason="x")

    assert Case.objects.get(pk=case.pk).status == case.status


def test_assigning_the_lead_professional_meets_the_panels_clocks(world):
    case = open_case(world, status="awaiting_lead_professional")
    lead_clock = start_clock(case, "lead-professional")
    offer_clock = start_clock(case, "front-door-to-offer")
    other_case = open_case(world, status="awaiting_lead_professional")
    other_clock = start_clock(other_case, "lead-professional")

    services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.lead)

    lead_clock.refresh_from_db()
    offer_clock.refresh_from_db()
    other_clock.refresh_from_db()
    assert lead_clock.met_at is not None
    assert offer_clock.met_at is not None
    assert other_clock.met_at is None
    assert not lead_clock.alarms.filter(went_off_at__isnull=True).exists()


def test_a_lead_professional_refused_leaves_the_clocks_running(world):
    case = open_case(world, status="awaiting_lead_professional")
    clock = start_clock(case, "lead-professional")

    with pytest.raises(ValidationError):
        services.case_assign_lead_professional(
            actor=world.team_manager, case=case, lead_professional=world.school_practitioner
        )

    assert Deadline.objects.get(pk=clock.pk).met_at is None


def test_every_move_sends_case_moved_once_saved_with_its_arguments(world):
    case = open_case(world, status="awaiting_allocation")
    received = []

    def receiver(sender, **kwargs):
        # Sent after the save and the chronology: both can be read here.
        saved = Case.objects.get(pk=kwargs["case"].pk)
        received.append({**kwargs, "saved_status": saved.status, "last_event": events(saved)[0], "sender": sender})

    case_moved.connect(receiver)
    try:
        services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.council, team=world.team)
        services.case_close_unallocated(
            actor=world.panel_coordinator, case=case, reason=world.outcomes_met, summary="The family moved away."
        )
    finally:
        case_moved.disconnect(receiver)

    assert [(r["action"], r["from_status"], r["to_status"]) for r in received] == [
        ("allocate", "awaiting_allocation", "awaiting_lead_professional"),
        ("close_unallocated", "awaiting_lead_professional", "closed"),
    ]
    assert all(r["sender"] is Case and r["actor"] == world.panel_coordinator for r in received)
    assert all(r["case"].pk == case.pk for r in received)
    assert [r["saved_status"] for r in received] == ["awaiting_lead_professional", "closed"]
    assert [r["last_event"] for r in received] == ["case_allocate", "case_close_unallocated"]


def test_a_receiver_that_fails_undoes_the_move(world):
    case = open_case(world, status="awaiting_allocation")

    def receiver(sender, **kwargs):
        raise RuntimeError("the outbox is full")

    case_moved.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.council)
    finally:
        case_moved.disconnect(receiver)

    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_ALLOCATION
    assert events(case) == ["case_opened"]


def test_changing_the_lead_of_an_active_case_sends_no_move(world):
    case = open_case(world, status="active")
    received = []
    case_moved.connect(lambda sender, **kwargs: received.append(kwargs), weak=False, dispatch_uid="lead-change")
    try:
        services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.other_lead)
    finally:
        case_moved.disconnect(dispatch_uid="lead-change")

    assert received == []


def test_the_partner_information_timescale_is_seeded_once_keeping_a_councils_own(world):
    migration = importlib.import_module("cases.migrations.0018_partner_information_timescale")
    timescale = Timescale.objects.get(code="partner-information")
    assert (timescale.name, timescale.amount, timescale.unit, timescale.reminder_before_hours) == (
        "Partner information for the panel",
        5,
        "working_days",
        24,
    )
    Timescale.objects.filter(code="partner-information").delete()

    migration.seed(django_apps, None)
    Timescale.objects.filter(code="partner-information").update(amount=3)
    migration.seed(django_apps, None)

    assert Timescale.objects.get(code="partner-information").amount == 3


# --- The team around the family ---------------------------------------------------------------------


def test_case_member_add_grants_view_and_change_but_not_manage(world):
    case = open_case(world, status="active")

    member = services.case_member_add(
        actor=world.lead, case=case, user=world.school_practitioner, role="  Attendance officer "
    )

    assert member.role == "Attendance officer"
    assert member.is_lead is False
    assert user_has_case_perm(world.school_practitioner, case, VIEW_CASE) is True
    assert user_has_case_perm(world.school_practitioner, case, CHANGE_CASE) is True
    assert user_has_case_perm(world.school_practitioner, case, MANAGE_CASE) is False
    assert events(case)[0] == "team_member_added"


def test_case_member_add_refuses_a_duplicate_member(world):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])

    with pytest.raises(ValidationError) as error:
        services.case_member_add(actor=world.lead, case=case, user=world.school_practitioner, role="Teacher")

    name = world.school_practitioner.get_full_name()
    assert error.value.message_dict == {"user": [f"{name} is already in the team around the family"]}
    assert current_members(case).filter(user=world.school_practitioner).count() == 1


def test_case_member_add_refuses_the_lead_professional_as_a_second_member(world):
    case = open_case(world, status="active")

    with pytest.raises(ValidationError) as error:
        services.case_member_add(actor=world.team_manager, case=case, user=world.lead, role="Keyworker")

    assert error.value.message_dict == {
        "user": [f"{world.lead.get_full_name()} is already in the team around the family"]
    }


@pytest.mark.parametrize("role", ["", "   "])
def test_case_member_add_requires_a_role(world, role):
    case = open_case(world, status="active")

    with pytest.raises(ValidationError) as error:
        services.case_member_add(actor=world.lead, case=case, user=world.health_practitioner, role=role)

    assert error.value.message_dict == {"role": ["Enter what they will do for the family"]}
    assert current_members(case).filter(user=world.health_practitioner).exists() is False


def test_case_member_add_refuses_an_inactive_account(world):
    case = open_case(world, status="active")
    gone = UserFactory(agency=world.health, is_active=False)

    with pytest.raises(ValidationError) as error:
        services.case_member_add(actor=world.lead, case=case, user=gone, role="Health visitor")

    assert error.value.message_dict == {"user": ["Choose a practitioner whose account is active"]}


@pytest.mark.parametrize("actor_name", ["school_practitioner", "other_lead", "panel_coordinator", "analyst"])
def test_case_member_add_needs_manage_permission(world, actor_name):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])

    with pytest.raises(PermissionDenied):
        services.case_member_add(
            actor=getattr(world, actor_name), case=case, user=world.health_practitioner, role="Health visitor"
        )

    assert current_members(case).filter(user=world.health_practitioner).exists() is False


def test_case_member_remove_ends_the_place_and_revokes_access(world):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])
    member = current_members(case).get(user=world.school_practitioner)

    services.case_member_remove(actor=world.lead, member=member)

    member.refresh_from_db()
    assert member.ended_at is not None
    assert user_has_case_perm(world.school_practitioner, case, VIEW_CASE) is False
    assert user_has_case_perm(world.school_practitioner, case, CHANGE_CASE) is False
    assert events(case)[0] == "team_member_removed"


def test_a_removed_member_can_be_added_again(world):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])
    services.case_member_remove(actor=world.lead, member=current_members(case).get(user=world.school_practitioner))

    services.case_member_add(actor=world.lead, case=case, user=world.school_practitioner, role="Teacher")

    assert CaseMember.objects.filter(case=case, user=world.school_practitioner).count() == 2
    assert current_members(case).get(user=world.school_practitioner).role == "Teacher"


def test_case_member_remove_refuses_removing_the_current_lead(world):
    case = open_case(world, status="active")
    lead_member = current_members(case).get(user=world.lead)

    with pytest.raises(ValidationError) as error:
        services.case_member_remove(actor=world.team_manager, member=lead_member)

    assert error.value.messages == ["Assign a new lead professional before removing the current one."]
    lead_member.refresh_from_db()
    assert lead_member.ended_at is None
    assert user_has_case_perm(world.lead, case, MANAGE_CASE) is True


def test_case_member_remove_needs_manage_permission(world):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])
    member = current_members(case).get(user=world.school_practitioner)

    with pytest.raises(PermissionDenied):
        services.case_member_remove(actor=world.school_practitioner, member=member)

    member.refresh_from_db()
    assert member.ended_at is None


# --- The lead professional --------------------------------------------------------------------------


def test_assign_lead_professional_refuses_a_user_without_the_role(world):
    case = open_case(world, status="awaiting_lead_professional")

    with pytest.raises(ValidationError) as error:
        services.case_assign_lead_professional(
            actor=world.team_manager, case=case, lead_professional=world.team_manager
        )

    assert error.value.message_dict == {"lead_professional": ["Choose a practitioner who can be a lead professional"]}
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_LEAD_PROFESSIONAL
    assert case.lead_professional is None


def test_assign_lead_professional_refuses_an_inactive_lead(world):
    case = open_case(world, status="awaiting_lead_professional")
    left = UserFactory(agency=world.council, is_active=False, roles=[Role.LEAD_PROFESSIONAL])

    with pytest.raises(ValidationError) as error:
        services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=left)

    assert error.value.message_dict == {"lead_professional": ["Choose a practitioner who can be a lead professional"]}


@pytest.mark.parametrize("status", ["awaiting_lead_professional", "active"])
def test_assign_lead_professional_refuses_a_user_of_another_agency(world, status):
    case = open_case(world, status=status)
    health_lead = UserFactory(agency=world.health, roles=[Role.LEAD_PROFESSIONAL])

    with pytest.raises(ValidationError) as error:
        services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=health_lead)

    assert error.value.message_dict == {"lead_professional": ["Choose a practitioner of the lead agency"]}
    case.refresh_from_db()
    assert case.status == status
    assert case.lead_professional_id != health_lead.pk
    assert current_members(case).filter(user=health_lead).exists() is False


def test_assign_lead_professional_makes_the_case_active_with_the_lead_at_the_head_of_the_team(world):
    case = open_case(world, status="awaiting_lead_professional")

    services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.lead)

    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert case.lead_professional == world.lead
    member = current_members(case).get(user=world.lead)
    assert member.is_lead is True
    assert user_has_case_perm(world.lead, case, MANAGE_CASE) is True
    assert events(case)[0] == "case_assign_lead_professional"


def test_changing_lead_keeps_the_old_lead_as_a_plain_member(world):
    case = open_case(world, status="active")

    services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.other_lead)

    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert case.lead_professional == world.other_lead
    old = current_members(case).get(user=world.lead)
    new = current_members(case).get(user=world.other_lead)
    assert old.is_lead is False
    assert old.ended_at is None
    assert new.is_lead is True
    assert current_members(case).filter(is_lead=True).count() == 1
    assert user_has_case_perm(world.lead, case, VIEW_CASE) is True
    assert user_has_case_perm(world.lead, case, CHANGE_CASE) is True
    assert user_has_case_perm(world.lead, case, MANAGE_CASE) is False
    assert user_has_case_perm(world.other_lead, case, MANAGE_CASE) is True
    assert events(case)[0] == "case_lead_changed"


def test_changing_lead_to_an_existing_member_promotes_them(world):
    other_lead = UserFactory(agency=world.council, team=world.team, roles=[Role.LEAD_PROFESSIONAL])
    case = open_case(world, status="active", members=[(other_lead, "Family support worker")])

    services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=other_lead)

    promoted = current_members(case).get(user=other_lead)
    assert promoted.is_lead is True
    assert current_members(case).filter(user=other_lead).count() == 1
    assert user_has_case_perm(other_lead, case, MANAGE_CASE) is True


@pytest.mark.parametrize("actor_name", ["lead", "other_manager", "panel_coordinator"])
def test_changing_lead_needs_a_manager_of_the_case(world, actor_name):
    case = open_case(world, status="active")

    with pytest.raises(PermissionDenied):
        services.case_assign_lead_professional(
            actor=getattr(world, actor_name), case=case, lead_professional=world.other_lead
        )

    case.refresh_from_db()
    assert case.lead_professional == world.lead
    assert current_members(case).filter(user=world.other_lead).exists() is False


# --- Notes --------------------------------------------------------------------------------------------


def test_chronology_note_add_records_a_note(world):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])
    yesterday = timezone.now() - datetime.timedelta(days=1)

    note = services.chronology_note_add(
        actor=world.school_practitioner,
        case=case,
        summary="  Attendance up to 92% ",
        body=" Spoke to the class teacher. ",
        kind=ChronologyEntry.Kind.CONTACT,
        occurred_at=yesterday,
    )

    assert note.summary == "Attendance up to 92%"
    assert note.body == "Spoke to the class teacher."
    assert note.kind == ChronologyEntry.Kind.CONTACT
    assert note.event == ""
    assert note.author == world.school_practitioner
    assert note.author_agency == world.school
    assert note.occurred_at == yesterday


@pytest.mark.parametrize("summary", ["", "   "])
def test_chronology_note_add_refuses_an_empty_summary(world, summary):
    case = open_case(world, status="active")

    with pytest.raises(ValidationError) as error:
        services.chronology_note_add(actor=world.lead, case=case, summary=summary, body="Text")

    assert error.value.message_dict == {"summary": ["Enter a short summary of the note"]}
    assert ChronologyEntry.objects.filter(case=case, kind=ChronologyEntry.Kind.NOTE).exists() is False


def test_chronology_note_add_refuses_a_future_date(world):
    case = open_case(world, status="active")
    tomorrow_noon = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(12))
    )

    with pytest.raises(ValidationError) as error:
        services.chronology_note_add(actor=world.lead, case=case, summary="Visit", body="", occurred_at=tomorrow_noon)

    assert error.value.message_dict == {"occurred_at": ["The date of the note must be today or in the past"]}


def test_chronology_note_add_accepts_any_time_today(world):
    # The note page sends the day the user typed at noon: a note for today written at nine in the
    # morning must not be refused as "in the future".
    case = open_case(world, status="active")
    late_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(23, 59)))

    note = services.chronology_note_add(actor=world.lead, case=case, summary="Visit", body="", occurred_at=late_today)

    assert note.occurred_at == late_today


def test_chronology_note_add_refuses_a_system_kind(world):
    case = open_case(world, status="active")

    with pytest.raises(ValidationError) as error:
        services.chronology_note_add(
            actor=world.lead, case=case, summary="Closed", body="", kind=ChronologyEntry.Kind.EVENT
        )

    assert error.value.message_dict == {"kind": ["Choose what kind of note this is"]}


@pytest.mark.parametrize(
    "actor_name", ["analyst", "other_lead", "health_practitioner", "duty_manager", "administrator"]
)
def test_chronology_note_add_needs_change_permission(world, actor_name):
    case = open_case(world, status="active")
    before = events(case)

    with pytest.raises(PermissionDenied):
        services.chronology_note_add(actor=getattr(world, actor_name), case=case, summary="Visit", body="")

    assert events(case) == before


def test_a_removed_member_can_no_longer_add_notes(world):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])
    services.case_member_remove(actor=world.lead, member=current_members(case).get(user=world.school_practitioner))

    with pytest.raises(PermissionDenied):
        services.chronology_note_add(actor=world.school_practitioner, case=case, summary="Visit", body="")


# --- Closing a case the front door opened in error ----------------------------------------------------


def opened_in_error():
    return ClosureReason.objects.get(code=OPENED_IN_ERROR)


def test_a_duty_manager_closes_a_case_nobody_has_started(world):
    case = open_case(world, status="awaiting_allocation")

    closed = services.case_close_opened_in_error(
        actor=world.duty_manager, case=case, reason=opened_in_error(), summary="Decision amended to step up."
    )

    case.refresh_from_db()
    assert closed.status == case.status == CaseStatus.CLOSED
    assert case.closure_reason == opened_in_error()
    assert case.closure_summary == "Decision amended to step up."
    assert case.closed_at is not None
    assert events(case)[0] == "case_closed_in_error"


@pytest.mark.parametrize("status", ["awaiting_lead_professional", "active", "closure_requested", "closed"])
def test_a_case_someone_has_started_is_not_closed_in_error(world, status):
    case = open_case(world, status=status)
    before = events(case)

    with pytest.raises(services.TransitionNotAllowed):
        services.case_close_opened_in_error(
            actor=world.duty_manager, case=case, reason=opened_in_error(), summary="Decision amended."
        )

    assert Case.objects.get(pk=case.pk).status == status
    assert events(case) == before


def test_a_case_with_someone_in_the_team_is_not_closed_in_error(world):
    case = open_case(world, status="awaiting_allocation")
    CaseMember.objects.create(case=case, user=world.health_practitioner, role="Health visitor")

    with pytest.raises(services.TransitionNotAllowed) as error:
        services.case_close_opened_in_error(
            actor=world.duty_manager, case=case, reason=opened_in_error(), summary="Decision amended."
        )

    assert error.value.code == "work_started"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_ALLOCATION


@pytest.mark.parametrize("actor", ["panel_coordinator", "team_manager", "lead", "school_practitioner", "analyst"])
def test_only_duty_managers_close_a_case_opened_in_error(world, actor):
    case = open_case(world, status="awaiting_allocation")

    with pytest.raises(PermissionDenied):
        services.case_close_opened_in_error(
            actor=getattr(world, actor), case=case, reason=opened_in_error(), summary="Decision amended."
        )

    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_ALLOCATION


def test_closing_in_error_needs_a_summary(world):
    case = open_case(world, status="awaiting_allocation")

    with pytest.raises(ValidationError) as error:
        services.case_close_opened_in_error(actor=world.duty_manager, case=case, reason=opened_in_error(), summary=" ")

    assert error.value.message_dict["summary"] == ["Enter why the case is closing"]


def test_the_migration_adds_the_reason_once_and_keeps_a_councils_own(world):
    migration = importlib.import_module("cases.migrations.0009_closure_reason_opened_in_error")
    ClosureReason.objects.filter(code=OPENED_IN_ERROR).delete()

    migration.add_reason(django_apps, None)
    ClosureReason.objects.filter(code=OPENED_IN_ERROR).update(name="Opened by mistake")
    migration.add_reason(django_apps, None)

    reason = ClosureReason.objects.get(code=OPENED_IN_ERROR)
    assert reason.name == "Opened by mistake"
    assert reason.sort_order == ClosureReason.objects.get(code="other").sort_order
    assert list(ClosureReason.objects.values_list("code", flat=True))[-2:] == [OPENED_IN_ERROR, "other"]


# --- A failure half way leaves nothing behind ---------------------------------------------------------

CRASH = RuntimeError("the disk is full")


def test_a_crash_after_the_status_is_saved_leaves_the_case_as_it_was(world):
    case = open_case(world, status="active")
    before = events(case)

    with mock.patch("cases.services.chronology_record", side_effect=CRASH), pytest.raises(RuntimeError):
        services.case_request_closure(actor=world.lead, case=case, reason=world.outcomes_met, summary="Goals met")

    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.ACTIVE
    assert stored.closure_reason is None
    assert stored.closure_summary == ""
    assert events(case) == before


def test_a_crash_while_signing_off_leaves_the_case_open(world):
    case = open_case(world, status="closure_requested")

    with mock.patch("cases.services.chronology_record", side_effect=CRASH), pytest.raises(RuntimeError):
        services.case_sign_off_closure(actor=world.team_manager, case=case)

    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.CLOSURE_REQUESTED
    assert stored.closed_at is None


def test_a_crash_while_assigning_a_lead_leaves_no_lead_member_or_grant(world):
    case = open_case(world, status="awaiting_lead_professional")

    with mock.patch("cases.services.chronology_record", side_effect=CRASH), pytest.raises(RuntimeError):
        services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.lead)

    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.AWAITING_LEAD_PROFESSIONAL
    assert stored.lead_professional is None
    assert current_members(case).exists() is False
    assert user_has_case_perm(world.lead, case, VIEW_CASE) is False


def test_a_crash_while_adding_a_member_leaves_no_member_or_grant(world):
    case = open_case(world, status="active")

    with mock.patch("cases.services.chronology_record", side_effect=CRASH), pytest.raises(RuntimeError):
        services.case_member_add(actor=world.lead, case=case, user=world.health_practitioner, role="Health visitor")

    assert current_members(case).filter(user=world.health_practitioner).exists() is False
    assert user_has_case_perm(world.health_practitioner, case, VIEW_CASE) is False


def test_a_crash_while_removing_a_member_keeps_them_in_the_team(world):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])
    member = current_members(case).get(user=world.school_practitioner)

    with mock.patch("cases.services.chronology_record", side_effect=CRASH), pytest.raises(RuntimeError):
        services.case_member_remove(actor=world.lead, member=member)

    assert CaseMember.objects.get(pk=member.pk).ended_at is None
    assert user_has_case_perm(User.objects.get(pk=world.school_practitioner.pk), case, CHANGE_CASE) is True


def test_a_crash_while_opening_a_case_leaves_no_case(world):
    family = family_with_members(locality=world.north)

    with mock.patch("cases.services.chronology_record", side_effect=CRASH), pytest.raises(RuntimeError):
        services.case_open(actor=world.duty_manager, family=family, level_of_need=world.level3)

    assert Case.objects.filter(family=family).exists() is False
