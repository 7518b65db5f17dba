"""MASH enquiries: the partner agencies' clock (reminding the agency's practitioners, escalating to
the duty managers, once each however often the sweep runs), the partners' pages (their own agency's
requests only, what identifies the family, the answer) and the answer shown at triage."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.deadlines import deadlines_sweep
from cases.models import AccessLog, Deadline, Notification
from cases.roles import Role
from front_door import services
from front_door.models import DecisionOutcome, InformationRequest
from front_door.services import PersonData
from tests.factories import UserFactory

MAX_LIST_QUERIES = 12
LIST = "/front-door/information-requests/"


def request_url(information_request) -> str:
    return reverse("front_door:information-request", args=[information_request.pk])


def clock(information_request) -> Deadline:
    return Deadline.objects.get(
        timescale__code="mash-information", subject_type="information_request", subject_id=information_request.pk
    )


def mash_messages(deadline: Deadline, verb: str):
    """The outbox messages that carry this enquiry's line ("is due by" reminders, "was due by"
    escalations). A sweep sends one message per person listing all their deadlines."""
    return Notification.objects.filter(body__contains=f"{deadline.timescale.name} for {deadline.reference} {verb}")


@pytest.fixture
def enquiry(world, submit_referral):
    """A referral the duty manager sent to MASH, asking Health Visiting and Hill School."""
    referral = submit_referral()
    services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.MORE_INFORMATION,
        level_of_need=world.level3,
        reason="Partners may know more.",
        information_requests=[(world.health, "Is Amara known to health visiting?"), (world.school, "Attendance?")],
    )
    return InformationRequest.objects.get(referral=referral, agency=world.health)


# --- The clock ------------------------------------------------------------------------------------


def test_the_request_reminds_the_agencys_practitioners_then_escalates_once(world, enquiry):
    deadline = clock(enquiry)
    before_due = deadline.remind_at + datetime.timedelta(minutes=1)
    after_due = deadline.due_at + datetime.timedelta(hours=1)

    deadlines_sweep(now=before_due)
    reminded = sorted(mash_messages(deadline, "is due by").values_list("recipient__username", flat=True))
    deadlines_sweep(now=after_due)
    deadlines_sweep(now=after_due)  # the sweep runs again: nothing is sent twice

    escalations = mash_messages(deadline, "was due by")
    assert deadline.remind_agency == world.health
    assert deadline.escalate_role == Role.DUTY_MANAGER
    assert deadline.due_at == enquiry.due_at
    # Everyone at Health Visiting and at Hill School, each about their own agency's enquiry.
    assert reminded == ["health", "manager2", "school"]
    assert sorted(mash_messages(deadline, "is due by").values_list("recipient__username", flat=True)) == reminded
    # The duty managers: the world has two (one also leads families).
    assert sorted(escalations.values_list("recipient__username", flat=True)) == ["duty", "duty-lead"]
    assert escalations.first().body.count(f"{deadline.timescale.name} for {deadline.reference} was due by") == 2


def test_an_overdue_request_is_chased_once_when_the_sweep_runs_twice(world, enquiry):
    deadline = clock(enquiry)
    later = deadline.due_at + datetime.timedelta(hours=2)

    first = deadlines_sweep(now=later)
    sent = Notification.objects.count()
    second = deadlines_sweep(now=later)

    deadline.refresh_from_db()
    assert first["reminded"] >= 2 and first["escalated"] >= 2  # both enquiries, reminded then escalated
    assert mash_messages(deadline, "is due by").count() == 3  # the agencies' three practitioners
    assert mash_messages(deadline, "was due by").count() == 2  # the two duty managers
    assert second == {"reminded": 0, "escalated": 0}
    assert Notification.objects.count() == sent
    assert deadline.reminded_at is not None and deadline.escalated_at is not None


def test_answering_meets_the_deadline(world, enquiry):
    services.information_request_answer(
        actor=world.health_practitioner, request=enquiry, answer="Known: two missed development checks."
    )

    deadline = clock(enquiry)
    deadlines_sweep(now=deadline.due_at + datetime.timedelta(hours=1))

    enquiry.refresh_from_db()
    assert enquiry.answered_by == world.health_practitioner
    assert deadline.met_at is not None and deadline.met_at <= deadline.due_at
    assert not Notification.objects.filter(recipient__agency=world.health).exists()
    assert Notification.objects.filter(recipient=world.school_practitioner).exists()  # Hill School still owes


def test_a_due_date_chosen_by_the_duty_manager(world, submit_referral):
    referral = submit_referral()
    due_at = timezone.now() + datetime.timedelta(days=3)

    services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.MORE_INFORMATION,
        level_of_need=world.level3,
        reason="Ask health.",
        information_requests=[(world.health, "Known?")],
        due_at=due_at,
    )

    enquiry = InformationRequest.objects.get(referral=referral)
    assert enquiry.due_at == due_at
    assert clock(enquiry).due_at == due_at
    # Its alarms go off by that date, not the usual one: the reminder hours before, then overdue.
    deadlines_sweep(now=timezone.now() + datetime.timedelta(days=1))
    assert clock(enquiry).reminded_at is None
    deadlines_sweep(now=due_at - datetime.timedelta(minutes=1))
    assert clock(enquiry).reminded_at is not None and clock(enquiry).escalated_at is None
    deadlines_sweep(now=due_at)
    assert clock(enquiry).escalated_at is not None


def test_only_the_agency_asked_can_answer(world, enquiry):
    with pytest.raises(PermissionDenied):
        services.information_request_answer(actor=world.school_practitioner, request=enquiry, answer="Not ours.")


# --- The partners' pages --------------------------------------------------------------------------


def test_the_list_shows_the_agencys_requests_only(world, enquiry, client_for):
    health = client_for(world.health_practitioner).get(LIST).content.decode()
    school = client_for(world.school_practitioner).get(LIST)
    school_request = InformationRequest.objects.get(agency=world.school)

    assert f'href="{request_url(enquiry)}"' in health
    assert "Waiting for your answer" in health
    assert f'href="{request_url(school_request)}"' not in health
    assert [row["request"] for row in school.context["rows"]] == [school_request]


def test_open_requests_come_first(world, enquiry, submit_referral, client_for):
    services.information_request_answer(actor=world.health_practitioner, request=enquiry, answer="Not known.")
    later = submit_referral(people=[PersonData(kind="child", first_name="Tomasz", last_name="Nowak")])
    open_one = services.information_request_create(
        actor=world.duty_manager, referral=later, agency=world.health, question="Known?"
    )

    response = client_for(world.health_practitioner).get(LIST)

    assert [row["request"] for row in response.context["rows"]] == [open_one, enquiry]
    assert "Answered" in response.content.decode()


def test_a_practitioner_without_an_agency_sees_no_requests(world, enquiry, client_for):
    nobody = UserFactory(username="nobody", agency=None, roles=[Role.REFERRER])

    response = client_for(nobody).get(LIST)

    assert response.status_code == 200
    assert response.context["rows"] == []


@pytest.mark.parametrize("who", ["analyst", "administrator", "superuser"])
def test_analysts_and_administrators_read_no_partner_enquiry(world, enquiry, client_for, who):
    # Figures only, never names: not even of their own agency's enquiries.
    enquiry.agency = world.council
    enquiry.save(update_fields=["agency"])
    client = client_for(getattr(world, who))

    assert client.get(LIST).status_code == 403
    assert client.get(request_url(enquiry)).status_code == 404


def test_the_request_shows_what_identifies_the_family(world, enquiry, client_for):
    response = client_for(world.health_practitioner).get(request_url(enquiry))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Is Amara known to health visiting?" in content
    assert "Amara Okafor" in content and "Born 17 May 2016" in content
    assert "12 Mill Lane, Exton, EX1 1AB" in content
    assert "Send the answer" in content
    assert "Amara has missed 20 days" not in content  # the referral itself is not shared
    assert AccessLog.objects.filter(
        user=world.health_practitioner,
        action=AccessLog.Action.VIEW,
        record_type="information_request",
        record_id=enquiry.pk,
    ).exists()


def test_another_agencys_request_is_404(world, enquiry, client_for):
    client = client_for(world.school_practitioner)

    assert client.get(request_url(enquiry)).status_code == 404
    assert client.post(request_url(enquiry), {"answer": "Nothing."}).status_code == 404
    assert client.get("/front-door/information-requests/987654321/").status_code == 404
    enquiry.refresh_from_db()
    assert enquiry.answered_at is None


def test_answering_through_the_page(world, enquiry, client_for):
    client = client_for(world.health_practitioner)

    response = client.post(request_url(enquiry), {"answer": "Known: two missed development checks."}, follow=True)
    answered_page = client.get(request_url(enquiry)).content.decode()

    enquiry.refresh_from_db()
    assert response.redirect_chain == [(LIST, 302)]
    assert f"Answer sent to the front door for {enquiry.referral.reference}" in response.content.decode()
    assert enquiry.answer == "Known: two missed development checks."
    assert clock(enquiry).met_at is not None
    assert "Known: two missed development checks." in answered_page
    assert "Send the answer" not in answered_page


def test_an_empty_answer_is_refused_the_govuk_way(world, enquiry, client_for):
    response = client_for(world.health_practitioner).post(request_url(enquiry), {"answer": "  "})

    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in content
    assert "Enter what your agency knows about the family" in content
    enquiry.refresh_from_db()
    assert enquiry.answered_at is None


def test_the_duty_manager_sees_the_answers_at_triage(world, enquiry, client_for):
    services.information_request_answer(
        actor=world.health_practitioner, request=enquiry, answer="Known: two missed development checks."
    )

    content = (
        client_for(world.duty_manager).get(reverse("front_door:triage", args=[enquiry.referral_id])).content.decode()
    )

    assert "Health Visiting" in content
    assert "Is Amara known to health visiting?" in content
    assert "Known: two missed development checks." in content
    assert world.health_practitioner.get_full_name() in content
    assert "Hill School" in content and "Awaiting answer, due" in content


def test_the_list_queries_do_not_grow_with_the_list(world, submit_referral, client_for, django_assert_num_queries):
    client = client_for(world.health_practitioner)

    def ask(n):
        referral = submit_referral(people=[PersonData(kind="child", first_name=f"Child{n}", last_name="Test")])
        services.information_request_create(
            actor=world.duty_manager, referral=referral, agency=world.health, question="Known?"
        )

    ask(0)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(LIST).status_code == 200
    for n in range(1, 50):
        ask(n)

    with django_assert_num_queries(len(one_row.captured_queries)):
        response = client.get(LIST)

    assert len(one_row.captured_queries) <= MAX_LIST_QUERIES
    assert len(response.context["rows"]) == 25
    assert response.context["page_obj"].paginator.count == 50
