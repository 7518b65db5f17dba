"""Family group conferences (assessments/fgc.py, fgc_views.py, api/step.py): offered, the family's
answer, held with who attended and the family's plan; the rules; who sees and records, page and API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import fgc
from assessments.models import FamilyGroupConference
from cases.models import ChronologyEntry
from tests.assessments.test_step_up import ACCESS, taf_case
from tests.conftest import open_case

PLAN = "Gran collects the children on Tuesdays and Thursdays; Uncle Ray helps with homework."


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def case(world):
    return taf_case(world)


def held(world, case) -> FamilyGroupConference:
    conference = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(20))
    fgc.fgc_respond(actor=world.lead, conference=conference, response="accepted", responded_on=ago(15))
    return fgc.fgc_record_held(
        actor=world.lead, conference=conference, held_on=ago(5), attended="Mum, Gran, Uncle Ray", family_plan=PLAN
    )


# --- The rules -----------------------------------------------------------------------------------


def test_offered_accepted_and_held_each_in_the_chronology(world, case):
    conference = held(world, case)

    conference.refresh_from_db()
    assert (conference.response, conference.held_on, conference.family_plan) == ("accepted", ago(5), PLAN)
    events = list(ChronologyEntry.objects.filter(case=case, event__startswith="fgc_").values_list("event", flat=True))
    assert sorted(events) == ["fgc_answered", "fgc_held", "fgc_offered"]
    assert PLAN in ChronologyEntry.objects.get(case=case, event="fgc_held").body


def test_dates_are_today_or_in_the_past_and_in_order(world, case):
    with pytest.raises(ValidationError) as error:
        fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(-1))
    assert error.value.message_dict == {"offered_on": ["The date it was offered must be today or in the past"]}
    with pytest.raises(ValidationError) as error:
        fgc.fgc_offer(actor=world.lead, case=case, offered_on=None)
    assert error.value.message_dict == {"offered_on": ["Enter the date it was offered"]}

    conference = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(10))
    with pytest.raises(ValidationError) as error:
        fgc.fgc_respond(actor=world.lead, conference=conference, response="accepted", responded_on=ago(11))
    assert error.value.message_dict == {
        "responded_on": ["The date of their answer must be on or after the date it was offered"]
    }
    fgc.fgc_respond(actor=world.lead, conference=conference, response="accepted", responded_on=ago(8))
    with pytest.raises(ValidationError) as error:
        fgc.fgc_record_held(actor=world.lead, conference=conference, held_on=ago(9), attended="", family_plan=" ")
    assert error.value.message_dict == {
        "held_on": ["The date it was held must be on or after the date the family accepted"],
        "attended": ["Enter who attended"],
        "family_plan": ["Enter the family's plan from the conference"],
    }


def test_only_an_accepted_conference_is_held_and_a_held_one_changes_no_more(world, case):
    conference = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(10))
    with pytest.raises(ValidationError, match="Only a family group conference the family accepted"):
        fgc.fgc_record_held(actor=world.lead, conference=conference, held_on=ago(1), attended="Mum", family_plan=PLAN)
    fgc.fgc_respond(actor=world.lead, conference=conference, response="declined", responded_on=ago(9))
    with pytest.raises(ValidationError, match="Only a family group conference the family accepted"):
        fgc.fgc_record_held(actor=world.lead, conference=conference, held_on=ago(1), attended="Mum", family_plan=PLAN)

    done = held(world, case)
    with pytest.raises(ValidationError, match="has been held"):
        fgc.fgc_respond(actor=world.lead, conference=done, response="declined", responded_on=ago(1))


def test_one_conference_at_a_time(world, case):
    conference = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(10))
    with pytest.raises(ValidationError, match="already offered"):
        fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(1))

    fgc.fgc_respond(actor=world.lead, conference=conference, response="declined", responded_on=ago(9))
    again = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(1))

    assert again.pk != conference.pk


def test_an_answer_needs_accepted_or_declined(world, case):
    conference = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(10))

    with pytest.raises(ValidationError) as error:
        fgc.fgc_respond(actor=world.lead, conference=conference, response="offered", responded_on=None)

    assert set(error.value.message_dict) == {"response", "responded_on"}


@pytest.mark.parametrize("who", ["school_practitioner", "duty_manager", "panel_coordinator", "other_lead"])
def test_only_who_manages_the_case_records(world, case, who):
    with pytest.raises(PermissionDenied):
        fgc.fgc_offer(actor=getattr(world, who), case=case, offered_on=ago(1))


def test_only_an_active_case(world):
    closing = open_case(world, status="closure_requested")

    with pytest.raises(ValidationError, match="active cases only"):
        fgc.fgc_offer(actor=world.team_manager, case=closing, offered_on=ago(1))


# --- Pages and API: who ---------------------------------------------------------------------------


def list_url(case) -> str:
    return reverse("assessments:fgc-list", args=[case.pk])


@pytest.mark.parametrize("who", ACCESS)
def test_who_sees_and_who_records_page_and_api(world, case, client_for, who):
    records, sees = ACCESS[who]
    conference = held(world, case)
    offered = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(1))
    client = client_for(getattr(world, who))
    api = f"/api/v1/cases/{case.pk}/family-group-conferences/"

    listing = client.get(list_url(case))
    read = client.get(api)
    offer_page = client.get(reverse("assessments:fgc-offer", args=[case.pk]))
    answer_page = client.get(reverse("assessments:fgc-response", args=[case.pk, offered.pk]))
    answered = client.post(
        f"{api}{offered.pk}/answer/",
        {"response": "accepted", "responded_on": ago(0).isoformat()},
        content_type="application/json",
    )

    assert listing.status_code == (200 if sees else 404)
    assert read.status_code == (200 if sees else 404)
    if sees:
        assert PLAN in listing.content.decode()
        assert [row["id"] for row in read.json()] == [offered.pk, conference.pk]
        assert (
            "Record the family&#x27;s answer" in listing.content.decode()
            or "Record the family's answer" in listing.content.decode()
        ) is records
    assert offer_page.status_code == (200 if records else 404)
    assert answer_page.status_code == (200 if records else 404)
    assert answered.status_code == (200 if records else 404)
    offered.refresh_from_db()
    assert (offered.response == "accepted") is records
    case_page = client.get(reverse("cases:case-detail", args=[case.pk]))
    if case_page.status_code == 200:
        assert ("Family group conference" in case_page.content.decode()) is sees


# --- Pages ----------------------------------------------------------------------------------------


def date_fields(name: str, day: datetime.date | None) -> dict:
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def test_the_lead_professional_offers_records_the_answer_and_the_conference(world, case, client_for):
    client = client_for(world.lead)

    offered = client.post(reverse("assessments:fgc-offer", args=[case.pk]), date_fields("offered_on", ago(20)))
    conference = FamilyGroupConference.objects.get(case=case)
    answered = client.post(
        reverse("assessments:fgc-response", args=[case.pk, conference.pk]),
        {"response": "accepted", **date_fields("responded_on", ago(10))},
    )
    recorded = client.post(
        reverse("assessments:fgc-held", args=[case.pk, conference.pk]),
        {**date_fields("held_on", ago(2)), "attended": "Mum\nGran", "family_plan": PLAN},
        follow=True,
    )

    assert offered.status_code == answered.status_code == 302
    assert recorded.redirect_chain[-1][0] == list_url(case)
    html = recorded.content.decode()
    assert "Family group conference recorded" in html and "Held" in html and "Gran" in html
    conference.refresh_from_db()
    assert (conference.offered_on, conference.responded_on, conference.held_on) == (ago(20), ago(10), ago(2))


def test_wrong_answers_are_shown_and_what_was_typed_kept(world, case, client_for):
    client = client_for(world.lead)
    conference = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(10))
    fgc.fgc_respond(actor=world.lead, conference=conference, response="accepted", responded_on=ago(8))

    future = client.post(reverse("assessments:fgc-offer", args=[case.pk]), date_fields("offered_on", ago(-3)))
    response = client.post(
        reverse("assessments:fgc-held", args=[case.pk, conference.pk]),
        {**date_fields("held_on", ago(20)), "attended": "Mum and Gran", "family_plan": ""},
    )
    no_answer = client.post(
        reverse("assessments:fgc-response", args=[case.pk, conference.pk]), date_fields("responded_on", None)
    )

    assert "The date it was offered must be today or in the past" in future.content.decode()
    html = response.content.decode()
    assert "Enter the family&#x27;s plan from the conference" in html
    assert "Mum and Gran" in html
    assert "Select whether the family accepted or declined" in no_answer.content.decode()
    assert "Enter the date of their answer" in no_answer.content.decode()


def test_a_second_offer_while_one_is_open_is_an_error_on_the_page(world, case, client_for):
    fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(10))
    client = client_for(world.lead)

    response = client.post(reverse("assessments:fgc-offer", args=[case.pk]), date_fields("offered_on", ago(1)))

    assert "already offered" in response.content.decode()
    assert "Offer a family group conference</a>" not in client.get(list_url(case)).content.decode()


def test_another_cases_conference_is_not_found(world, case, client_for):
    other = taf_case(world)
    conference = fgc.fgc_offer(actor=world.lead, case=other, offered_on=ago(3))

    client = client_for(world.lead)
    assert client.get(reverse("assessments:fgc-response", args=[case.pk, conference.pk])).status_code == 404
    answer = client.post(
        f"/api/v1/cases/{case.pk}/family-group-conferences/{conference.pk}/answer/",
        {"response": "accepted", "responded_on": ago(0).isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 404


def test_the_list_page_queries_do_not_grow(world, case, client_for, django_assert_max_num_queries):
    client = client_for(world.lead)
    held(world, case)
    with django_assert_max_num_queries(12):
        assert client.get(list_url(case)).status_code == 200
    for _ in range(3):
        conference = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(2))
        fgc.fgc_respond(actor=world.lead, conference=conference, response="declined", responded_on=ago(1))
    with django_assert_max_num_queries(12):
        assert client.get(list_url(case)).status_code == 200


# --- API ------------------------------------------------------------------------------------------


def test_the_api_offers_answers_and_records_held(world, case, client_for):
    client = client_for(world.team_manager)
    api = f"/api/v1/cases/{case.pk}/family-group-conferences/"

    offered = client.post(api, {"offered_on": ago(9).isoformat()}, content_type="application/json")
    fgc_id = offered.json()["id"]
    answered = client.post(
        f"{api}{fgc_id}/answer/",
        {"response": "accepted", "responded_on": ago(5).isoformat()},
        content_type="application/json",
    )
    done = client.post(
        f"{api}{fgc_id}/held/",
        {"held_on": ago(1).isoformat(), "attended": "Mum, Gran", "family_plan": PLAN},
        content_type="application/json",
    )

    assert (offered.status_code, answered.status_code, done.status_code) == (201, 200, 200)
    assert done.json()["family_plan"] == PLAN and done.json()["held_on"] == ago(1).isoformat()


@pytest.mark.parametrize(
    ("path", "body", "errors"),
    [
        ("", {}, {"offered_on": ["Enter the date it was offered"]}),
        ("", {"offered_on": "yesterday"}, None),
        ("", {"offered_on": "2999-01-01"}, {"offered_on": ["The date it was offered must be today or in the past"]}),
        ("answer/", {"response": "maybe"}, None),
        ("held/", {"held_on": None, "attended": "", "family_plan": ""}, None),
        ("held/", {"attended": 42}, None),
    ],
)
def test_the_api_answers_bad_input_with_field_errors(world, case, client_for, path, body, errors):
    conference = fgc.fgc_offer(actor=world.lead, case=open_case(world), offered_on=ago(3))
    if path:
        conference = fgc.fgc_offer(actor=world.lead, case=case, offered_on=ago(3))
        if path == "held/":
            fgc.fgc_respond(actor=world.lead, conference=conference, response="accepted", responded_on=ago(2))
    url = f"/api/v1/cases/{case.pk}/family-group-conferences/" + (f"{conference.pk}/{path}" if path else "")

    response = client_for(world.lead).post(url, body, content_type="application/json")

    assert response.status_code == 400, response.content
    if errors is not None:
        assert response.json() == errors
    else:
        assert response.json()
