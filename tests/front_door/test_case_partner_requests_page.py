"""The coordinator asks partner agencies about a case from the case page: the page to ask (agencies,
question, due date, kept when something is wrong), and the case page's "Partner requests" section
(what was asked and answered, for those who see the family's details, in a fixed number of queries)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import AgencyType, ChronologyEntry, Consent, Deadline
from front_door import services
from front_door.models import InformationRequest
from tests.conftest import open_case
from tests.factories import AgencyFactory

QUESTION = "What do you know of the children's health and attendance?"


def ask_url(case) -> str:
    return reverse("front_door:case-information-request-new", args=[case.pk])


def case_url(case) -> str:
    return reverse("cases:case-detail", args=[case.pk])


def due_fields(day: datetime.date) -> dict[str, str]:
    return {"due_on_0": str(day.day), "due_on_1": str(day.month), "due_on_2": str(day.year)}


def in_a_week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def case(world):
    return open_case(world, status="awaiting_allocation")


def test_the_coordinator_asks_two_agencies(world, case, client_for):
    client = client_for(world.panel_coordinator)
    form_page = client.get(ask_url(case))

    response = client.post(
        ask_url(case),
        {"agencies": [world.health.pk, world.council.pk], "question": QUESTION, **due_fields(in_a_week())},
        follow=True,
    )

    content = response.content.decode()
    asked = InformationRequest.objects.filter(case=case).order_by("agency__name")
    assert form_page.status_code == 200
    assert 'type="checkbox"' in form_page.content.decode() and "due_on_0" in form_page.content.decode()
    assert response.redirect_chain == [(case_url(case), 302)]
    assert "Partner agencies asked: Council Family Support, Health Visiting" in content
    assert [r.agency for r in asked] == [world.council, world.health]
    assert all(r.question == QUESTION and r.requested_by == world.panel_coordinator for r in asked)
    assert timezone.localtime(asked[0].due_at).date() == in_a_week()
    # The case page lists them, still waiting.
    assert "Partner requests" in content and "Health Visiting" in content and "Waiting" in content
    assert Deadline.objects.filter(timescale__code="partner-information", case=case).count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"question": QUESTION}, "agencies", "Select the agencies to ask"),
        ({"agencies": ["x1"], "question": QUESTION}, "agencies", "Select the agencies to ask"),
        ({"agencies": ["987654321"], "question": QUESTION}, "agencies", "Select the agencies to ask"),
        ({"agencies": ["HEALTH"], "question": " "}, "question", "Enter what you need to know from the agency"),
        ({"agencies": ["HEALTH"], "question": QUESTION, "past": True}, "due_on", "Enter a date in the future"),
        ({"agencies": ["HEALTH"], "question": QUESTION, "no_date": True}, "due_on", "Enter the date the answers"),
    ],
)
def test_what_is_wrong_is_said_and_what_was_typed_is_kept(world, case, client_for, fields, field, message):
    data = dict(fields)
    past, no_date = data.pop("past", False), data.pop("no_date", False)
    if not no_date:
        data |= due_fields(timezone.localdate() - datetime.timedelta(days=1) if past else in_a_week())
    data["agencies"] = [world.health.pk if a == "HEALTH" else a for a in data.get("agencies", [])]

    response = client_for(world.panel_coordinator).post(ask_url(case), data)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in content
    assert message in str(response.context["form"].errors[field])
    assert message in content
    if data["question"].strip():
        assert QUESTION.replace("'", "&#x27;") in content  # the question typed is kept
    assert not InformationRequest.objects.exists()


def test_a_ticked_agency_is_kept_after_an_error(world, case, client_for):
    response = client_for(world.panel_coordinator).post(ask_url(case), {"agencies": [world.health.pk], "question": ""})

    ticked = re.search(rf'value="{world.health.pk}"\s*checked', response.content.decode())
    assert ticked is not None
    assert re.search(rf'value="{world.council.pk}"\s*checked', response.content.decode()) is None


def test_the_agencies_offered(world, case, client_for):
    old = AgencyFactory(name="Closed Youth Club", active=False)
    other_school = AgencyFactory(name="Far School", agency_type=AgencyType.objects.get(code="school"))
    child = case.family.memberships.get(person__kind="child").person
    child.school = world.school
    child.save(update_fields=["school"])

    form = client_for(world.panel_coordinator).get(ask_url(case)).context["form"]

    offered = list(form.fields["agencies"].queryset)
    assert world.health in offered and world.council in offered
    assert world.school in offered  # the child's school
    assert other_school not in offered and old not in offered


@pytest.mark.parametrize("who", ["county_coordinator", "duty_manager", "manager_coordinator"])
def test_who_may_open_the_page(world, case, client_for, who):
    assert client_for(getattr(world, who)).get(ask_url(case)).status_code == 200


def test_who_may_not(world, case, client_for):
    south = open_case(world, status="awaiting_allocation", locality=world.south)

    assert client_for(world.lead).get(ask_url(case)).status_code == 403
    assert client_for(world.health_practitioner).get(ask_url(case)).status_code == 403
    assert client_for(world.panel_coordinator).get(ask_url(south)).status_code == 404
    assert client_for(world.panel_coordinator).post(ask_url(south), {"question": "x"}).status_code == 404
    assert client_for(world.panel_coordinator).get("/cases/987654321/partner-requests/new/").status_code == 404


def test_a_closed_case_is_refused_with_a_message(world, client_for):
    closed = open_case(world, status="closed")

    response = client_for(world.county_coordinator).post(
        ask_url(closed), {"agencies": [world.health.pk], "question": QUESTION, **due_fields(in_a_week())}
    )

    assert response.status_code == 200
    assert "This case is closed" in response.content.decode()
    assert not InformationRequest.objects.exists()


# --- The case page's section -------------------------------------------------------------------------


def ask(world, case, agency, answer=None):
    request = services.information_request_create(
        actor=world.panel_coordinator,
        case=case,
        agency=agency,
        question=QUESTION,
        due_at=timezone.now() + datetime.timedelta(days=5),
    )
    if answer:
        practitioner = world.health_practitioner if agency == world.health else world.school_practitioner
        services.information_request_answer(actor=practitioner, request=request, answer=answer)
    return request


def test_the_section_shows_what_was_asked_and_answered(world, case, client_for):
    ask(world, case, world.health, answer="Known to us: missed two development checks.")
    ask(world, case, world.school)

    content = client_for(world.panel_coordinator).get(case_url(case)).content.decode()

    assert "Partner requests" in content
    assert "Known to us: missed two development checks." in content
    assert "Hill School" in content and "Waiting" in content
    assert f'href="{ask_url(case)}"' in content and "Ask partner agencies" in content


def test_the_link_to_ask_is_for_those_who_may(world, case, client_for):
    lead_case = open_case(world, status="active")
    ask(world, lead_case, world.health, answer="Nothing known.")

    lead_page = client_for(world.lead).get(case_url(lead_case)).content.decode()
    closed = open_case(world, status="closed")
    closed_page = client_for(world.county_coordinator).get(case_url(closed)).content.decode()

    assert "Nothing known." in lead_page  # the lead professional sees the answers
    assert "Ask partner agencies" not in lead_page
    assert "Partner requests" in closed_page and "Ask partner agencies" not in closed_page


def test_the_section_is_hidden_where_the_familys_details_are(world, client_for):
    member_case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    ask(world, member_case, world.health, answer="Known to us.")
    Consent.objects.filter(family=member_case.family).delete()  # no consent to share with the school

    response = client_for(world.school_practitioner).get(case_url(member_case))

    assert response.status_code == 200
    assert not response.context["case"].details_visible
    assert "Partner requests" not in response.content.decode()
    assert "Known to us." not in response.content.decode()


def test_the_case_page_queries_do_not_grow_with_the_requests(world, case, client_for, django_assert_max_num_queries):
    client = client_for(world.panel_coordinator)
    ask(world, case, world.health, answer="One.")
    with CaptureQueriesContext(connection) as one:
        assert client.get(case_url(case)).status_code == 200
    for n in range(8):
        agency = AgencyFactory(name=f"Partner {n}")
        ask(world, case, agency)

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(case_url(case))

    assert response.content.decode().count("Asked: ") == 8


def test_the_chronology_shows_the_question_asked_without_it_in_the_summary(world, case):
    ask(world, case, world.health)

    entry = ChronologyEntry.objects.get(case=case, event="partner_information_requested")
    assert entry.summary == "Information asked of Health Visiting for the panel"
