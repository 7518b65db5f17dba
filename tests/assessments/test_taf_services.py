"""TAF meetings through the services: planning (invitations in the outbox once, the next-taf clock),
moving, cancelling, recording a held meeting with the next one planned, the clock reminded and
escalated by the real sweep, and cancelled when the case closes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments import taf
from assessments.models import Attendance, TafMeeting, TafMeetingStatus
from cases import services as case_services
from cases.deadlines import deadlines_sweep
from cases.models import Deadline, FamilyMembership, Notification
from tests.conftest import open_case
from tests.factories import family_with_members


def soon(days: int = 7, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def people_of(case):
    return [m.person for m in FamilyMembership.objects.filter(family=case.family).select_related("person")]


def plan_meeting(case, *, actor=None, starts_at=None, members=None, others=("Interpreter (Polish)",)):
    """A meeting planned by the lead professional, inviting the team, the family and an interpreter."""
    return taf.taf_meeting_plan(
        actor=actor or case.lead_professional,
        case=case,
        starts_at=starts_at or soon(),
        place="Hill School meeting room",
        members=members if members is not None else [m.user for m in case.members.filter(ended_at__isnull=True)],
        people=people_of(case),
        others=list(others),
    )


def next_taf(case):
    return Deadline.objects.get(
        timescale__code="next-taf", subject_type="case", subject_id=case.pk, met_at=None, cancelled_at=None
    )


@pytest.fixture
def case(world):
    return open_case(world, members=[(world.school_practitioner, "Class teacher")])


def test_planning_invites_the_team_once_by_a_link_and_starts_the_next_taf_clock(world, case):
    meeting = plan_meeting(case)

    assert meeting.status == TafMeetingStatus.PLANNED
    assert meeting.attendees.count() == 2 + 2 + 1  # lead and teacher, parent and child, interpreter
    clock = next_taf(case)
    assert clock.due_at == meeting.starts_at
    assert clock.remind_user == world.lead
    assert (clock.escalate_role, clock.escalate_agency) == ("team_manager", world.council)
    # The lead planned it: only the teacher is written to; the family is invited in person.
    sent = Notification.objects.filter(dedupe_key__startswith="taf:")
    assert [n.recipient for n in sent] == [world.school_practitioner]
    message = sent.get()
    assert f"/cases/{case.pk}/taf/meetings/{meeting.pk}/" in message.body
    assert case.family.name not in message.subject + message.body
    assert "Hill School" not in message.body  # the place may be the family's home: never in an email
    assert case.reference in message.subject


def test_an_invitation_goes_out_once_however_often_it_is_sent(world, case):
    meeting = plan_meeting(case)
    taf._notify(meeting=meeting, case=case, actor=world.lead, kind="invited")
    taf._notify(meeting=meeting, case=case, actor=world.lead, kind="invited")

    assert Notification.objects.filter(dedupe_key__startswith="taf:invited:").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"starts_at": None}, "starts_at", "Enter the date and time of the meeting"),
        ({"starts_at": "past"}, "starts_at", "The meeting must be in the future"),
        ({"place": "  "}, "place", "Enter where the meeting is"),
        ({"members": [], "people": [], "others": []}, "members", "Select who is invited to the meeting"),
        ({"members": "outsider"}, "members", "Choose members of the team around the family"),
        ({"people": "stranger"}, "people", "Choose members of the family"),
    ],
)
def test_planning_checks_every_field(world, case, change, field, message):
    values = {
        "starts_at": soon(),
        "place": "Family centre",
        "members": [world.lead],
        "people": people_of(case),
        "others": [],
    }
    values.update(change)
    if values["starts_at"] == "past":
        values["starts_at"] = timezone.now() - datetime.timedelta(minutes=1)
    if values["members"] == "outsider":
        values["members"] = [world.health_practitioner]
    if values["people"] == "stranger":
        values["people"] = [FamilyMembership.objects.filter(family=family_with_members()).first().person]

    with pytest.raises(ValidationError) as error:
        taf.taf_meeting_plan(actor=world.lead, case=case, **values)

    assert error.value.message_dict[field] == [message]
    assert not TafMeeting.objects.exists()
    assert not Deadline.objects.filter(timescale__code="next-taf").exists()


def test_a_second_meeting_cannot_be_planned_while_one_is(world, case):
    first = plan_meeting(case)
    with pytest.raises(ValidationError) as error:
        plan_meeting(case, starts_at=soon(14))

    assert "move or cancel that one" in error.value.message_dict["starts_at"][0]
    assert TafMeeting.objects.get() == first


def test_only_the_lead_professional_and_manager_plan_and_only_on_an_active_case(world, case):
    with pytest.raises(PermissionDenied):
        plan_meeting(case, actor=world.school_practitioner)
    with pytest.raises(PermissionDenied):
        plan_meeting(case, actor=world.duty_manager)
    assert plan_meeting(case, actor=world.team_manager).planned_by == world.team_manager

    closed = open_case(world, status="closed")
    with pytest.raises((ValidationError, PermissionDenied)):
        plan_meeting(closed, members=[])


def test_moving_moves_the_clock_and_tells_the_invited_once_per_new_time(world, case):
    meeting = plan_meeting(case)
    old_clock = next_taf(case)

    taf.taf_meeting_move(actor=world.lead, meeting=meeting, starts_at=soon(9), place="Family centre")

    old_clock.refresh_from_db()
    assert old_clock.cancelled_at is not None
    assert next_taf(case).due_at == soon(9)
    moved = Notification.objects.filter(dedupe_key__startswith="taf:moved:")
    assert [n.recipient for n in moved] == [world.school_practitioner]
    with pytest.raises(ValidationError) as error:
        taf.taf_meeting_move(actor=world.lead, meeting=meeting, starts_at=soon(9), place="Family centre")
    assert error.value.message_dict["starts_at"] == ["Enter a new date, time or place for the meeting"]


def test_cancelling_needs_a_reason_tells_the_invited_and_leaves_the_clock_running(world, case):
    meeting = plan_meeting(case)
    with pytest.raises(ValidationError) as error:
        taf.taf_meeting_cancel(actor=world.lead, meeting=meeting, reason=" ")
    assert error.value.message_dict["reason"] == ["Enter why the meeting is cancelled"]

    taf.taf_meeting_cancel(actor=world.lead, meeting=meeting, reason="The family is away.")

    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_reason) == ("cancelled", "The family is away.")
    assert Notification.objects.filter(dedupe_key__startswith="taf:cancelled:").count() == 1
    assert next_taf(case).due_at == meeting.starts_at  # the next meeting is still owed by then
    with pytest.raises(ValidationError):
        taf.taf_meeting_move(actor=world.lead, meeting=meeting, starts_at=soon(9), place="Elsewhere")


def held(meeting) -> TafMeeting:
    TafMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    meeting.refresh_from_db()
    return meeting


def record(meeting, actor, **overrides):
    values = {
        "attendance": {a.pk: Attendance.ATTENDED for a in meeting.attendees.all()},
        "minutes": "Talked about school mornings.",
        "decisions": "Breakfast club from Monday.",
        "plan_changes": "",
        "next_starts_at": soon(42),
        "next_place": "Family centre",
    }
    values.update(overrides)
    return taf.taf_meeting_record(actor=actor, meeting=meeting, **values)


def test_a_meeting_is_recorded_only_once_it_has_started(world, case):
    meeting = plan_meeting(case)
    with pytest.raises(ValidationError) as error:
        record(meeting, world.lead)
    assert "record it once it has been held" in error.value.messages[0]


def test_recording_checks_each_invitee_the_minutes_and_the_next_meeting(world, case):
    meeting = held(plan_meeting(case))
    first, *rest = list(meeting.attendees.all())

    with pytest.raises(ValidationError) as error:
        record(
            meeting,
            world.lead,
            attendance={a.pk: Attendance.ATTENDED for a in rest} | {first.pk: "invited"},
            minutes=" ",
            next_starts_at=None,
            next_place="",
        )

    assert error.value.message_dict == {
        f"attendance_{first.pk}": [f"Select whether {world.lead.get_full_name()} attended"],
        "minutes": ["Enter the minutes of the meeting"],
        "next_starts_at": ["Enter the date and time of the next meeting"],
        "next_place": ["Enter where the next meeting is"],
    }
    meeting.refresh_from_db()
    assert meeting.status == TafMeetingStatus.PLANNED


def test_recording_meets_the_clock_and_plans_the_next_meeting_with_the_same_invitations(world, case):
    meeting = held(plan_meeting(case))
    clock = next_taf(case)
    teacher = meeting.attendees.get(user=world.school_practitioner)
    attendance = {a.pk: Attendance.ATTENDED for a in meeting.attendees.all()} | {teacher.pk: Attendance.APOLOGIES}

    done, following = record(meeting, world.lead, attendance=attendance)

    assert done.status == TafMeetingStatus.HELD
    assert done.recorded_by == world.lead
    assert meeting.attendees.get(pk=teacher.pk).attendance == Attendance.APOLOGIES
    clock.refresh_from_db()
    assert clock.met_at is not None
    assert following.status == TafMeetingStatus.PLANNED
    assert following.starts_at == soon(42)
    assert following.attendees.count() == meeting.attendees.count()
    assert next_taf(case).due_at == soon(42)
    # The teacher is invited to the next one too (once).
    assert Notification.objects.filter(dedupe_key__startswith=f"taf:invited:{following.pk}:").count() == 1
    assert case.family.chronology.filter(event="taf-meeting-held").exists()


def test_the_next_taf_clock_reminds_the_lead_and_escalates_to_the_team_manager(world, case):
    meeting = plan_meeting(case, starts_at=soon(2))  # reminded 72 hours before: at once
    lead_before = Notification.objects.filter(recipient=world.lead).count()

    assert deadlines_sweep(now=timezone.now()) == {"reminded": 1, "escalated": 0}
    assert deadlines_sweep(now=timezone.now()) == {"reminded": 0, "escalated": 0}
    reminder = Notification.objects.filter(recipient=world.lead).exclude(dedupe_key__startswith="taf:")
    assert reminder.count() == lead_before + 1
    assert "Next Team Around the Family meeting" in reminder.last().subject

    assert deadlines_sweep(now=meeting.starts_at + datetime.timedelta(minutes=1)) == {"reminded": 0, "escalated": 1}
    escalation = Notification.objects.filter(recipient=world.team_manager, subject__startswith="Overdue")
    assert escalation.count() == 1
    assert case.family.name not in escalation.get().body


def test_closing_the_case_cancels_the_next_taf_clock(world, case):
    plan_meeting(case)
    clock = next_taf(case)
    case_services.case_request_closure(actor=world.lead, case=case, reason=world.outcomes_met, summary="Goals met.")
    case_services.case_sign_off_closure(actor=world.team_manager, case=case)

    clock.refresh_from_db()
    assert clock.cancelled_at is not None
    assert not clock.alarms.filter(went_off_at__isnull=True).exists()
