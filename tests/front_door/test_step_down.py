"""Step down from children's social care: the service (front_door/step_down.py), the front door's
page and the API. The family lands as an awaiting-allocation case on the panel's waiting list (or
with a team, as configured), with the handover summary kept; repeats are linked, never dropped."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, CaseStatus, ChronologyEntry, PanelRoute, Person
from cases.roles import Role
from front_door.models import Channel, Handover, Referral, ReferralStatus
from front_door.services import PersonData
from front_door.step_down import StepDownData, referral_from_step_down
from panels import selectors as panel_selectors
from panels import services as panel_services
from tests.factories import UserFactory

SUMMARY = "Child in need plan closed after 9 months. School attendance now 92%. Mum wants help with routines."
REASON = "Child in need plan ended: needs now met at level 3 with early help."


@pytest.fixture
def contact_officer(world):
    return UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])


def people(**child):
    return [
        PersonData(
            kind="child",
            first_name=child.get("first_name", "Tobias"),
            last_name="Fenwick",
            date_of_birth=child.get("date_of_birth", datetime.date(2015, 4, 2)),
            nhs_number=child.get("nhs_number", ""),
        ),
        PersonData(
            kind="adult", first_name="Harriet", last_name="Fenwick", relationship="Mother", parental_responsibility=True
        ),
    ]


def data(world, **changes) -> StepDownData:
    values = {
        "summary": SUMMARY,
        "reason": REASON,
        "social_worker": "Priya Sandhu",
        "social_care_team": "Referral and Assessment Team",
        "address_line_1": "4 Orchard Row",
        "postcode": "EX1 2AB",
        "level_of_need": world.level3,
        "family_agreed": True,
        "people": people(),
    }
    values.update(changes)
    return StepDownData(**values)


# --- The service ---------------------------------------------------------------------------------


def test_a_step_down_opens_a_case_on_the_panels_waiting_list_with_the_summary(world, contact_officer):
    referral = referral_from_step_down(actor=contact_officer, data=data(world))

    referral.refresh_from_db()
    assert referral.channel == Channel.STEP_DOWN and referral.status == ReferralStatus.DECIDED
    assert referral.reference and referral.decisions.count() == 0
    case = referral.case
    assert case.status == CaseStatus.AWAITING_ALLOCATION
    assert case.panel_route == PanelRoute.STEPPED_DOWN and case.panel_waiting_since is not None
    assert case.family == referral.family and case.level_of_need == world.level3
    names = set(case.family.memberships.values_list("person__first_name", flat=True))
    assert names == {"Tobias", "Harriet"}
    handover = Handover.objects.get(referral=referral)
    assert (handover.direction, handover.case, handover.summary, handover.reason) == (
        "step_down",
        case,
        SUMMARY,
        REASON,
    )
    assert (handover.social_worker, handover.social_care_team) == ("Priya Sandhu", "Referral and Assessment Team")
    entry = ChronologyEntry.objects.get(case=case, event="case_stepped_down")
    assert SUMMARY in entry.body and "Referral and Assessment Team" in entry.summary


def test_it_is_on_the_panels_waiting_list(world, contact_officer):
    today = timezone.localdate()
    panel = panel_services.panel_create(
        actor=world.panel_coordinator,
        name="North Early Help Panel",
        locality=world.north,
        first_meeting_on=today - datetime.timedelta(days=today.weekday()),
        weekday=1,
        meets_at=datetime.time(10, 0),
        venue="North Family Hub",
    )

    referral = referral_from_step_down(actor=contact_officer, data=data(world))

    waiting = list(panel_selectors.waiting_list(user=world.panel_coordinator, panel=panel))
    assert [case.pk for case in waiting] == [referral.case_id]
    assert waiting[0].get_panel_route_display() == "Stepped down from children's social care"


def test_no_clock_or_letter_of_a_front_door_decision(world, contact_officer):
    from cases.models import Deadline

    referral = referral_from_step_down(actor=contact_officer, data=data(world))

    assert not Deadline.objects.filter(subject_type="referral", subject_id=referral.pk).exists()
    assert not referral.letters.exists()


def test_a_repeat_is_linked_to_the_first_and_joins_its_family_and_case(world, contact_officer, settings):
    first = referral_from_step_down(actor=contact_officer, data=data(world))
    other_officer = UserFactory(username="contact2", agency=world.council, roles=[Role.CONTACT_OFFICER])

    repeat = referral_from_step_down(actor=other_officer, data=data(world, summary="Sent again by email."))

    repeat.refresh_from_db()
    assert repeat.duplicate_of_id == first.pk
    assert (repeat.family_id, repeat.case_id) == (first.family_id, first.case_id)
    assert Case.objects.filter(family=first.family).count() == 1
    assert Person.objects.filter(last_name="Fenwick").count() == 2
    assert Handover.objects.get(referral=repeat).summary == "Sent again by email."


def test_a_child_known_by_nhs_number_brings_the_known_family(world, contact_officer):
    from tests.factories import family_with_members

    known = family_with_members(locality=world.north)
    child = Person.objects.get(memberships__family=known, kind="child")

    referral = referral_from_step_down(
        actor=contact_officer,
        data=data(world, people=people(first_name=child.first_name, nhs_number=child.nhs_number)),
    )

    assert referral.family_id == known.pk
    assert referral.people.get(kind="child").person_id == child.pk


def test_the_council_may_send_step_downs_straight_to_a_team(world, contact_officer, settings):
    settings.STEP_DOWN_ROUTE = "team"
    settings.STEP_DOWN_TEAMS = {"north": world.team.name}

    referral = referral_from_step_down(actor=contact_officer, data=data(world))

    case = referral.case
    case.refresh_from_db()
    assert (case.status, case.team, case.lead_agency) == (
        CaseStatus.AWAITING_LEAD_PROFESSIONAL,
        world.team,
        world.council,
    )
    assert case.panel_route == ""


def test_without_a_team_for_the_locality_it_goes_to_the_panel(world, contact_officer, settings):
    settings.STEP_DOWN_ROUTE = "team"
    settings.STEP_DOWN_TEAMS = {"south": world.other_team.name}

    referral = referral_from_step_down(actor=contact_officer, data=data(world))

    assert referral.case.panel_route == PanelRoute.STEPPED_DOWN


def test_every_missing_answer_is_named_at_once(world, contact_officer):
    empty = StepDownData(
        summary=" ",
        reason="",
        social_worker="",
        social_care_team="",
        address_line_1="",
        postcode="",
        level_of_need=None,
        family_agreed=False,
        people=[],
    )

    with pytest.raises(ValidationError) as error:
        referral_from_step_down(actor=contact_officer, data=empty)

    assert set(error.value.message_dict) == {
        *("summary", "reason", "social_worker", "social_care_team", "address_line_1", "postcode"),
        *("level_of_need", "family_agreed", "children"),
    }
    assert not Referral.objects.exists()


def test_a_persons_errors_name_them(world, contact_officer):
    future = timezone.localdate() + datetime.timedelta(days=3)

    with pytest.raises(ValidationError) as error:
        referral_from_step_down(actor=contact_officer, data=data(world, people=people(date_of_birth=future)))

    assert error.value.message_dict == {"people[0].date_of_birth": ["Date of birth must be today or in the past"]}
    assert not Referral.objects.exists()


@pytest.mark.parametrize("who", ["lead", "team_manager", "panel_coordinator", "school_practitioner"])
def test_only_the_front_door_records_a_step_down(world, who):
    with pytest.raises(PermissionDenied):
        referral_from_step_down(actor=getattr(world, who), data=data(world))


# --- The page ------------------------------------------------------------------------------------


def form_data(**changes) -> dict:
    values = {
        "social_worker": "Priya Sandhu",
        "social_care_team": "Referral and Assessment Team",
        "social_worker_email": "",
        "reason": REASON,
        "summary": SUMMARY,
        "address_line_1": "4 Orchard Row",
        "address_line_2": "",
        "town": "Exton",
        "postcode": "EX1 2AB",
        "family_agreed": "on",
        "child_1_first_name": "Tobias",
        "child_1_last_name": "Fenwick",
        "child_1_date_of_birth_0": "2",
        "child_1_date_of_birth_1": "4",
        "child_1_date_of_birth_2": "2015",
        "child_1_gender": "U",
        "adult_1_first_name": "Harriet",
        "adult_1_last_name": "Fenwick",
        "adult_1_relationship": "Mother",
        "adult_1_parental_responsibility": "on",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


URL = "/front-door/step-down/new/"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("duty_manager", 200),
        ("duty_lead", 200),
        ("lead", 403),
        ("team_manager", 403),
        ("panel_coordinator", 403),
        ("school_practitioner", 403),
        ("analyst", 403),
        ("administrator", 403),
        ("superuser", 403),
    ],
)
def test_who_may_open_the_step_down_page(world, client_for, who, status):
    assert client_for(getattr(world, who)).get(URL).status_code == status


def test_the_page_records_a_step_down_and_shows_the_handover(world, client_for, contact_officer):
    client = client_for(contact_officer)

    response = client.post(URL, form_data(level_of_need=str(world.level3.pk)))

    referral = Referral.objects.get(channel=Channel.STEP_DOWN)
    assert response.status_code == 302 and response.url == f"/front-door/step-down/{referral.pk}/"
    page = client.get(response.url).content.decode()
    assert SUMMARY in page and REASON in page and "Priya Sandhu" in page
    assert referral.case.reference in page and "waiting list" in page
    assert "Tobias Fenwick" in page and "Harriet Fenwick" in page


def test_a_wrong_answer_keeps_what_was_typed(world, client_for, contact_officer):
    response = client_for(contact_officer).post(
        URL, form_data(summary="", family_agreed=None, level_of_need=str(world.level3.pk), child_1_date_of_birth_2="")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter the handover summary" in html
    assert "Confirm that the family agreed to early help" in html
    assert "Date of birth must include a year" in html
    assert 'value="Priya Sandhu"' in html and REASON in html
    assert not Referral.objects.exists()


def test_no_child_named_is_an_error(world, client_for, contact_officer):
    response = client_for(contact_officer).post(
        URL,
        form_data(
            level_of_need=str(world.level3.pk),
            child_1_first_name="",
            child_1_last_name="",
            child_1_date_of_birth_0="",
            child_1_date_of_birth_1="",
            child_1_date_of_birth_2="",
        ),
    )

    assert "Add at least one child or unborn baby" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_handover_page_is_the_front_doors_and_its_recorders(world, client_for, contact_officer):
    referral = referral_from_step_down(actor=contact_officer, data=data(world))
    url = f"/front-door/step-down/{referral.pk}/"

    assert client_for(world.duty_manager).get(url).status_code == 200
    assert client_for(contact_officer).get(url).status_code == 200
    for who in ("lead", "team_manager", "panel_coordinator", "school_practitioner", "analyst"):
        assert client_for(getattr(world, who)).get(url).status_code == 404, who


def test_a_repeat_says_so_on_its_page(world, client_for, contact_officer):
    first = referral_from_step_down(actor=contact_officer, data=data(world))
    repeat = referral_from_step_down(actor=contact_officer, data=data(world))

    html = client_for(world.duty_manager).get(f"/front-door/step-down/{repeat.pk}/").content.decode()

    assert f"A repeat of step down {first.reference}" in html


def test_the_pages_queries_do_not_grow(world, client_for, contact_officer, django_assert_max_num_queries):
    referral = referral_from_step_down(actor=contact_officer, data=data(world))
    client = client_for(world.duty_manager)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/front-door/step-down/{referral.pk}/").status_code == 200
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(f"/front-door/step-down/{referral.pk}/").status_code == 200
    assert len(one.captured_queries) <= 16


# --- The API -------------------------------------------------------------------------------------

API = "/api/v1/step-downs/"


def api_body(**changes) -> dict:
    values = {
        "social_worker": "Priya Sandhu",
        "social_care_team": "Referral and Assessment Team",
        "reason": REASON,
        "summary": SUMMARY,
        "address_line_1": "4 Orchard Row",
        "postcode": "EX1 2AB",
        "level_of_need": "level-3",
        "family_agreed": True,
        "children": [{"first_name": "Tobias", "last_name": "Fenwick", "date_of_birth": "2015-04-02"}],
        "adults": [{"first_name": "Harriet", "last_name": "Fenwick", "parental_responsibility": True}],
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def test_the_api_hands_a_family_over(world, client_for, contact_officer):
    client = client_for(contact_officer)

    response = client.post(API, api_body(), content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    referral = Referral.objects.get(pk=body["id"])
    assert body["reference"] == referral.reference and body["summary"] == SUMMARY
    assert body["case_id"] == referral.case_id and body["on_panel_waiting_list"] is True
    assert body["duplicate_of"] == ""
    again = client.post(API, api_body(), content_type="application/json").json()
    assert again["duplicate_of"] == referral.reference and again["case_id"] == referral.case_id
    read = client.get(f"{API}{referral.pk}/")
    assert read.status_code == 200 and read.json()["summary"] == SUMMARY


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"summary": ""}, {"summary": ["Enter the handover summary"]}),
        ({"summary": None}, {"summary": ["Enter the handover summary"]}),
        ({"social_worker": None}, {"social_worker": ["Enter the name of the social care worker"]}),
        ({"children": []}, {"children": ["Add at least one child or unborn baby"]}),
        (
            {"family_agreed": False},
            {
                "family_agreed": [
                    "Confirm that the family agreed to early help: it is offered only with their agreement"
                ]
            },
        ),
        ({"family_agreed": "yes"}, {"family_agreed": ["Confirm that the family agreed to early help: true"]}),
        ({"level_of_need": "level-9"}, None),
        ({"postcode": "NOT A POSTCODE"}, None),
        (
            {"children": [{"first_name": "Tobias", "last_name": "Fenwick", "date_of_birth": "2999-01-01"}]},
            {"children[0].date_of_birth": ["Date of birth must be today or in the past"]},
        ),
        ({"children": "Tobias"}, None),
    ],
)
def test_the_api_answers_bad_input_with_field_errors(world, client_for, contact_officer, changes, errors):
    response = client_for(contact_officer).post(API, api_body(**changes), content_type="application/json")

    assert response.status_code == 400, response.content
    if errors is not None:
        assert response.json() == errors
    else:
        assert set(response.json()) == set(changes)
    assert not Referral.objects.exists()


def test_the_api_is_the_front_doors(world, client_for):
    response = client_for(world.lead).post(API, api_body(), content_type="application/json")

    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_the_api_reads_only_step_downs(world, client_for, submit_referral):
    other = submit_referral()

    assert client_for(world.duty_manager).get(f"{API}{other.pk}/").status_code == 404


def test_the_front_doors_own_pages_of_a_step_down_still_open(world, client_for, contact_officer):
    referral = referral_from_step_down(actor=contact_officer, data=data(world))

    triage = client_for(world.duty_manager).get(f"/front-door/referrals/{referral.pk}/")
    mine = client_for(contact_officer).get("/referrals/mine/")

    assert triage.status_code == 200 and SUMMARY not in triage.content.decode()
    assert mine.status_code == 200 and referral.reference in mine.content.decode()


def test_the_front_doors_pages_link_to_the_step_down_page(world, client_for, contact_officer):
    queue = client_for(world.duty_manager).get("/front-door/").content.decode()
    home = client_for(contact_officer).get("/").content.decode()

    assert f'href="{URL}"' in queue and f'href="{URL}"' in home


def test_a_family_with_an_active_case_joins_it(world, contact_officer):
    from tests.conftest import open_case

    case = open_case(world)
    child = Person.objects.get(memberships__family=case.family, kind="child")

    referral = referral_from_step_down(
        actor=contact_officer,
        data=data(world, people=people(first_name=child.first_name, nhs_number=child.nhs_number)),
    )

    case.refresh_from_db()
    assert referral.case_id == case.pk and case.status == CaseStatus.ACTIVE and case.panel_route == ""
    entry = ChronologyEntry.objects.get(case=case, event="case_stepped_down")
    assert f"to the family's open case {case.reference}" in entry.summary
