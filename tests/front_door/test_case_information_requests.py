"""Partner requests before the Early Help Panel: the front door's information requests serve a case
too. A request belongs to a referral or a case, is asked by a duty manager or a panel coordinator,
keeps its own clock (reminding the agency, escalating to the person who asked), writes the case's
chronology, and reaches the agency asked through the same list and page as a MASH enquiry."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.deadlines import deadlines_sweep
from cases.models import AccessLog, ChronologyEntry, Deadline, Notification, Person
from cases.roles import Role
from front_door import services
from front_door.models import DecisionOutcome, InformationRequest
from tests.conftest import open_case
from tests.factories import AgencyFactory, UserFactory

LIST = "/front-door/information-requests/"
QUESTION = "Is the family known to health visiting? Any missed appointments?"


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def clock(request: InformationRequest) -> Deadline:
    return Deadline.objects.get(subject_type="information_request", subject_id=request.pk)


@pytest.fixture
def case(world):
    """A case in the north, waiting for the panel to agree a lead agency."""
    return open_case(world, status="awaiting_allocation")


@pytest.fixture
def asked(world, case):
    return services.information_request_create(
        actor=world.panel_coordinator, case=case, agency=world.health, question=QUESTION, due_at=in_days(5)
    )


# --- The record -------------------------------------------------------------------------------------


def test_a_request_is_about_a_referral_or_a_case_never_both_nor_neither(world, case, asked, submit_referral):
    referral = submit_referral()
    fields = {"agency": world.school, "question": "?", "requested_by": world.duty_manager, "due_at": in_days(1)}

    with pytest.raises(IntegrityError), transaction.atomic():
        InformationRequest.objects.create(referral=referral, case=case, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        InformationRequest.objects.create(**fields)
    with pytest.raises(ValueError, match="exactly one"):
        services.information_request_create(
            actor=world.duty_manager, agency=world.school, question="?", referral=referral, case=case
        )
    with pytest.raises(ValueError, match="exactly one"):
        services.information_request_create(actor=world.duty_manager, agency=world.school, question="?")


def test_one_open_request_per_agency_per_case(world, case, asked):
    fields = {"case": case, "agency": world.health, "question": "?", "requested_by": world.panel_coordinator}

    with pytest.raises(IntegrityError), transaction.atomic():
        InformationRequest.objects.create(due_at=in_days(2), **fields)
    services.information_request_answer(actor=world.health_practitioner, request=asked, answer="Not known.")
    again = InformationRequest.objects.create(due_at=in_days(2), **fields)  # answered: may be asked again

    assert str(again) == f"{case.reference} to Health Visiting"
    assert again.kind_label == "Early Help Panel" and again.reference == case.reference


def test_a_coordinator_asks_an_agency_about_a_case(world, case, asked):
    deadline = clock(asked)
    entry = ChronologyEntry.objects.get(case=case, event="partner_information_requested")

    assert asked.case == case and asked.referral is None
    assert asked.requested_by == world.panel_coordinator
    assert deadline.timescale.code == "partner-information"
    assert deadline.case_id == case.pk and deadline.reference == case.reference
    assert deadline.due_at == asked.due_at
    assert deadline.remind_agency == world.health
    assert deadline.escalate_user == world.panel_coordinator and deadline.escalate_role == ""
    assert entry.summary == "Information asked of Health Visiting for the panel"
    assert QUESTION not in entry.summary and entry.body == QUESTION
    assert entry.author == world.panel_coordinator


def test_asking_again_returns_the_open_request(world, case, asked):
    again = services.information_request_create(
        actor=world.county_coordinator, case=case, agency=world.health, question="Anything?", due_at=in_days(9)
    )

    assert again == asked
    assert InformationRequest.objects.filter(case=case).count() == 1
    assert Deadline.objects.filter(subject_type="information_request").count() == 1
    assert ChronologyEntry.objects.filter(case=case, event="partner_information_requested").count() == 1


@pytest.mark.parametrize("who", ["county_coordinator", "duty_manager", "manager_coordinator"])
def test_who_may_ask(world, case, who):
    request = services.information_request_create(
        actor=getattr(world, who), case=case, agency=world.school, question="Attendance?", due_at=in_days(3)
    )

    assert request.requested_by == getattr(world, who)


@pytest.mark.parametrize(
    "who", ["lead", "team_manager", "school_practitioner", "analyst", "administrator", "superuser"]
)
def test_who_may_not_ask(world, case, who):
    with pytest.raises(PermissionDenied):
        services.information_request_create(
            actor=getattr(world, who), case=case, agency=world.school, question="Attendance?", due_at=in_days(3)
        )

    assert not InformationRequest.objects.exists()


def test_a_coordinator_may_not_ask_about_another_localitys_case(world):
    south_case = open_case(world, status="awaiting_allocation", locality=world.south)

    with pytest.raises(PermissionDenied):
        services.information_request_create(
            actor=world.panel_coordinator, case=south_case, agency=world.school, question="?", due_at=in_days(3)
        )


def test_a_closed_case_is_not_asked_about(world):
    closed = open_case(world, status="closed")

    with pytest.raises(ValidationError, match="This case is closed"):
        services.information_request_create(
            actor=world.county_coordinator, case=closed, agency=world.school, question="?", due_at=in_days(3)
        )


@pytest.mark.parametrize(
    ("question", "due_at", "errors"),
    [
        ("Known?", None, {"due_at": ["Enter the date the answer is due"]}),
        ("Known?", -1, {"due_at": ["Enter a date in the future for the answer"]}),
        ("  ", 3, {"question": ["Enter what you need to know from the agency"]}),
    ],
)
def test_what_a_case_request_needs(world, case, question, due_at, errors):
    with pytest.raises(ValidationError) as refused:
        services.information_request_create(
            actor=world.panel_coordinator,
            case=case,
            agency=world.school,
            question=question,
            due_at=None if due_at is None else in_days(due_at),
        )

    assert refused.value.message_dict == errors


def test_asking_several_agencies_asks_all_or_none(world, case):
    closed_agency = AgencyFactory(name="Old Youth Service", active=False)

    with pytest.raises(ValidationError) as refused:
        services.case_information_requests_create(
            actor=world.panel_coordinator,
            case=case,
            agencies=[world.health, closed_agency],
            question="Known?",
            due_at=in_days(4),
        )
    assert refused.value.message_dict == {"agencies": ["No longer active agencies: Old Youth Service. Select others"]}
    assert not InformationRequest.objects.exists()

    made = services.case_information_requests_create(
        actor=world.panel_coordinator,
        case=case,
        agencies=[world.health, world.school],
        question="Known?",
        due_at=in_days(4),
    )
    assert sorted(r.agency.name for r in made) == ["Health Visiting", "Hill School"]
    assert ChronologyEntry.objects.filter(case=case, event="partner_information_requested").count() == 2


def test_a_referral_request_is_as_before(world, submit_referral):
    referral = submit_referral()
    services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.MORE_INFORMATION,
        level_of_need=world.level3,
        reason="Ask health.",
        information_requests=[(world.health, "Known?")],
    )

    request = InformationRequest.objects.get(referral=referral)
    assert request.case is None and request.kind_label == "Front door enquiry"
    assert clock(request).timescale.code == "mash-information"
    assert clock(request).escalate_role == Role.DUTY_MANAGER and clock(request).escalate_user is None
    assert str(request) == f"{referral.reference} to Health Visiting"


# --- The clock and the answer ------------------------------------------------------------------------


def test_the_clock_reminds_the_agency_and_escalates_to_the_coordinator_who_asked(world, case, asked):
    deadline = clock(asked)

    deadlines_sweep(now=deadline.remind_at + datetime.timedelta(minutes=1))
    reminded = set(Notification.objects.values_list("recipient__username", flat=True))
    deadlines_sweep(now=deadline.due_at + datetime.timedelta(minutes=1))
    escalated = set(Notification.objects.values_list("recipient__username", flat=True)) - reminded

    assert reminded == {"health", "manager2"}  # Health Visiting's practitioners
    assert escalated == {"panel"}  # the coordinator who asked, not every coordinator or duty manager


def test_answering_meets_the_clock_and_writes_the_chronology(world, case, asked):
    services.information_request_answer(
        actor=world.health_practitioner, request=asked, answer="Known: two missed development checks."
    )

    asked.refresh_from_db()
    entry = ChronologyEntry.objects.get(case=case, event="partner_information_answered")
    deadline = clock(asked)
    assert asked.answered_by == world.health_practitioner
    assert deadline.met_at == asked.answered_at
    assert not deadline.alarms.exists()
    assert entry.summary == "Health Visiting answered the panel's request"
    assert entry.body == "Known: two missed development checks."
    assert entry.author == world.health_practitioner


def test_only_the_agency_asked_answers(world, case, asked):
    with pytest.raises(PermissionDenied):
        services.information_request_answer(actor=world.school_practitioner, request=asked, answer="Not ours.")


# --- The partner's list and page --------------------------------------------------------------------


def test_the_partner_list_shows_both_kinds(world, case, asked, submit_referral, client_for):
    referral = submit_referral()
    mash = services.information_request_create(
        actor=world.duty_manager, referral=referral, agency=world.health, question="Known?"
    )

    response = client_for(world.health_practitioner).get(LIST)

    content = response.content.decode()
    assert {row["request"] for row in response.context["rows"]} == {asked, mash}
    assert "Early Help Panel" in content and "Front door enquiry" in content
    assert case.reference in content and referral.reference in content


def test_the_partner_page_shows_the_case_the_family_and_the_question(world, case, asked, client_for):
    url = reverse("front_door:information-request", args=[asked.pk])
    people = list(Person.objects.filter(memberships__family=case.family).order_by("kind"))
    child = next(p for p in people if p.kind == Person.Kind.CHILD)
    parent = next(p for p in people if p.kind == Person.Kind.ADULT)

    response = client_for(world.health_practitioner).get(url)

    content = response.content.decode()
    assert response.status_code == 200
    assert f"Case {case.reference}" in content
    assert "The Early Help Panel asks Health Visiting" in content
    assert QUESTION in content
    assert child.full_name in content and "Born 17 May 2016" in content
    assert parent.full_name in content and "Born 3 February 1988" in content
    assert case.family.address in content
    logged = AccessLog.objects.filter(
        user=world.health_practitioner, action=AccessLog.Action.VIEW, record_type="information_request"
    )
    assert set(logged.values_list("case_id", "person_id")) == {(case.pk, child.pk), (case.pk, parent.pk)}


def test_another_agency_and_non_practitioners_get_404(world, case, asked, client_for):
    url = reverse("front_door:information-request", args=[asked.pk])

    for who in ("school_practitioner", "analyst", "administrator", "panel_coordinator"):
        assert client_for(getattr(world, who)).get(url).status_code == 404, who
    refused = AccessLog.objects.filter(user=world.school_practitioner, action=AccessLog.Action.DENIED)
    assert set(refused.values_list("case_id", flat=True)) == {case.pk}
    assert refused.count() == 2  # the family's two people


def test_answering_through_the_page(world, case, asked, client_for):
    url = reverse("front_door:information-request", args=[asked.pk])

    response = client_for(world.health_practitioner).post(url, {"answer": "Not known to us."}, follow=True)

    asked.refresh_from_db()
    assert response.redirect_chain == [(LIST, 302)]
    assert f"Answer sent to the Early Help Panel for {case.reference}" in response.content.decode()
    assert asked.answer == "Not known to us."


def test_a_case_closed_by_the_panel_still_shows_its_requests(world, case, asked, client_for):
    # The partner can still read (and answer) what was asked of them after the case moved on.
    case_services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.council, team=world.team)

    url = reverse("front_door:information-request", args=[asked.pk])
    assert client_for(world.health_practitioner).get(url).status_code == 200


def test_a_practitioner_of_the_agency_asked_without_a_role_sees_nothing(world, case, asked, client_for):
    no_role = UserFactory(username="norole", agency=world.health, roles=[])

    assert client_for(no_role).get(reverse("front_door:information-request", args=[asked.pk])).status_code == 404


def test_closing_the_case_stops_chasing_the_partners_still_to_answer(world, case, asked):
    answered = services.information_request_create(
        actor=world.panel_coordinator, case=case, agency=world.school, question="?", due_at=in_days(2)
    )
    services.information_request_answer(actor=world.school_practitioner, request=answered, answer="Known.")

    case_services.case_close_unallocated(
        actor=world.panel_coordinator, case=case, reason=world.outcomes_met, summary="Support found elsewhere."
    )

    deadlines_sweep(now=in_days(10))
    assert clock(asked).cancelled_at is not None
    assert clock(answered).met_at is not None and clock(answered).cancelled_at is None
    assert not Notification.objects.filter(recipient__agency=world.health).exists()
    # The agency may still answer: it goes into the closed case's chronology.
    services.information_request_answer(actor=world.health_practitioner, request=asked, answer="Late, but known.")
    assert ChronologyEntry.objects.filter(case=case, event="partner_information_answered").count() == 2
