"""Step up from the case (assessments/step_views.py, the API in assessments/api/step.py): the reason,
a confirmation page, the front door's referral; the case shows the handover and, once made, the
front door's decision. Who may do and see what, through the page and the API."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.step_selectors import case_step_downs, case_step_ups
from cases import services as case_services
from cases.models import Consent, Notification, Person
from front_door.models import Channel, DecisionOutcome, Referral
from front_door.services import PersonData
from front_door.step_down import StepDownData, referral_from_step_down
from front_door.step_up import referral_from_step_up
from tests.conftest import open_case
from tests.front_door.helpers import decide

REASON = "Bruising seen on the younger child, and the explanation changed twice."


def taf_case(world):
    """An active case led by `world.lead` (north team) with two members of the team around the
    family: the school's practitioner, whose agency the family agreed to share with, and the health
    visitor, whose agency it did not."""
    case = open_case(world)
    for user, role in ((world.school_practitioner, "Teacher"), (world.health_practitioner, "Health visitor")):
        case_services.case_member_add(actor=world.team_manager, case=case, user=user, role=role)
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    case_services.consent_record(
        actor=world.lead,
        family=case.family,
        person=parent,
        scope=Consent.Scope.SHARING,
        status=Consent.Status.GIVEN,
        agency=world.school,
        evidence=Consent.Evidence.VERBAL,
        method=Consent.Method.IN_PERSON,
        witness="Sam Carter, family support worker",
        decided_on=timezone.localdate(),
        case=case,
    )
    return case


# Who: (may step up: page and API, sees the handovers: page and API). Every user of tests/conftest.py's world.
ACCESS = {
    "lead": (True, True),
    "team_manager": (True, True),
    "manager_coordinator": (True, True),  # team manager of the case's team, and a panel coordinator
    "school_practitioner": (False, True),  # in the team around the family, consent to share with the school
    "health_practitioner": (False, False),  # in the team around the family, no consent to share
    "duty_manager": (False, True),
    "duty_lead": (False, True),  # a duty manager who leads other cases
    "panel_coordinator": (False, True),
    "county_coordinator": (False, True),
    "other_lead": (False, False),
    "other_manager": (False, False),
    "analyst": (False, False),
    "administrator": (False, False),
    "superuser": (False, False),
}


@pytest.fixture
def case(world):
    return taf_case(world)


def step_up_url(case) -> str:
    return reverse("assessments:step-up", args=[case.pk])


def status_url(case) -> str:
    return reverse("assessments:step-up-status", args=[case.pk])


@pytest.mark.parametrize("who", ACCESS)
def test_who_may_step_up_and_who_sees_the_handovers_page_and_api(world, case, client_for, who):
    may_step_up, sees = ACCESS[who]
    client = client_for(getattr(world, who))
    referral_from_step_up(actor=world.lead, case=open_case(world), reason=REASON)  # another case's: not this one's

    form = client.get(step_up_url(case))
    status = client.get(status_url(case))
    api_list = client.get(f"/api/v1/cases/{case.pk}/handovers/")
    case_page = client.get(reverse("cases:case-detail", args=[case.pk]))

    assert form.status_code == (200 if may_step_up else 404)
    assert status.status_code == (200 if sees else 404)
    assert api_list.status_code == (200 if sees else 404)
    if case_page.status_code == 200:
        assert ("Step up to social care" in case_page.content.decode()) is may_step_up
    posted = client.post(f"/api/v1/cases/{case.pk}/step-ups/", {"reason": REASON}, content_type="application/json")
    assert posted.status_code == (201 if may_step_up else 404)
    assert Referral.objects.filter(channel=Channel.STEP_UP, case=case).exists() is may_step_up


def test_the_lead_professional_steps_up_through_a_confirmation_page(world, case, client_for):
    client = client_for(world.lead)

    confirm = client.post(step_up_url(case), {"reason": REASON})

    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Check and send the step up" in html and REASON in html
    assert not Referral.objects.filter(channel=Channel.STEP_UP).exists()

    changed = client.post(step_up_url(case), {"reason": REASON, "change": "yes"})
    assert changed.status_code == 200 and REASON in changed.content.decode()
    assert "Check and send" not in changed.content.decode()

    sent = client.post(step_up_url(case), {"reason": REASON, "confirmed": "yes"}, follow=True)

    referral = Referral.objects.get(channel=Channel.STEP_UP, case=case)
    assert sent.redirect_chain[-1][0] == status_url(case)
    page = sent.content.decode()
    assert f"Stepped up to the front door: referral {referral.reference}" in page
    assert "Waiting for the front door's decision" in page and REASON in page
    assert Notification.objects.filter(dedupe_key__startswith=f"step-up:{referral.pk}:").count() == 2


def test_a_reason_is_needed(world, case, client_for):
    response = client_for(world.lead).post(step_up_url(case), {"reason": "  ", "confirmed": "yes"})

    assert response.status_code == 200
    assert "Enter why the family needs children&#x27;s social care" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_waiting_step_up_is_shown_rather_than_made_again(world, case, client_for):
    referral = referral_from_step_up(actor=world.lead, case=case, reason=REASON)

    response = client_for(world.team_manager).get(step_up_url(case), follow=True)

    assert response.redirect_chain[-1][0] == status_url(case)
    assert f"This case was stepped up ({referral.reference})" in response.content.decode()
    assert "Step up to social care</a>" not in response.content.decode()


def test_a_case_that_is_not_active_is_not_stepped_up(world, client_for):
    closing = open_case(world, status="closure_requested")

    response = client_for(world.team_manager).get(step_up_url(closing), follow=True)

    assert response.redirect_chain[-1][0] == reverse("cases:case-detail", args=[closing.pk])
    assert "Only an active case can be stepped up" in response.content.decode()
    assert "Step up to social care" not in response.content.decode()


def test_the_case_shows_the_front_doors_decision_once_made(world, case, client_for):
    referral = referral_from_step_up(actor=world.lead, case=case, reason=REASON)
    client = client_for(world.lead)
    assert "Not decided yet" in client.get(status_url(case)).content.decode()

    decide(world, referral, None, outcome=DecisionOutcome.STEP_UP)

    html = client.get(status_url(case)).content.decode()
    assert "Threshold for children&#x27;s social care met" in html
    assert "Level 3 needs: several agencies are involved." in html
    [row] = case_step_ups(case)
    assert (row.reference, row.waiting, row.decision_outcome) == (referral.reference, False, "step_up")
    assert row.decided_by == world.duty_manager.get_full_name()
    api = client.get(f"/api/v1/cases/{case.pk}/handovers/").json()
    assert api[0]["decision_outcome"] == "step_up" and api[0]["reason"] == REASON


def test_the_api_answers_bad_input_with_field_errors(world, case, client_for):
    client = client_for(world.lead)

    for body, errors in (
        ({}, {"reason": ["Enter why the family needs children's social care"]}),
        ({"reason": ""}, {"reason": ["Enter why the family needs children's social care"]}),
        ({"reason": 42}, {"reason": ["Enter why the family needs children's social care as text"]}),
    ):
        response = client.post(f"/api/v1/cases/{case.pk}/step-ups/", body, content_type="application/json")
        assert (response.status_code, response.json()) == (400, errors)
    assert client.post(f"/api/v1/cases/{case.pk}/step-ups/", "[", content_type="application/json").status_code == 400
    assert not Referral.objects.exists()


def test_the_api_returns_a_waiting_step_up_rather_than_make_another(world, case, client_for):
    client = client_for(world.lead)
    first = client.post(f"/api/v1/cases/{case.pk}/step-ups/", {"reason": REASON}, content_type="application/json")
    again = client.post(f"/api/v1/cases/{case.pk}/step-ups/", {"reason": REASON}, content_type="application/json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()


def test_a_stepped_down_case_shows_its_handover_summary(world, client_for):
    from cases.roles import Role
    from tests.factories import UserFactory

    officer = UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])
    referral = referral_from_step_down(
        actor=officer,
        data=StepDownData(
            summary="Child in need plan closed; routines are the worry.",
            reason="Needs now met at level 3.",
            social_worker="Priya Sandhu",
            social_care_team="Referral and Assessment Team",
            address_line_1="4 Orchard Row",
            postcode="EX1 2AB",
            level_of_need=world.level3,
            family_agreed=True,
            people=[
                PersonData(kind="child", first_name="Tobias", last_name="Fenwick", date_of_birth=timezone.localdate())
            ],
        ),
    )
    case = referral.case

    [row] = case_step_downs(case)
    assert row.summary == "Child in need plan closed; routines are the worry."
    html = client_for(world.duty_manager).get(status_url(case)).content.decode()
    assert "Child in need plan closed; routines are the worry." in html and "Priya Sandhu" in html


def test_the_pages_queries_do_not_grow(world, case, client_for, django_assert_max_num_queries):
    client = client_for(world.lead)
    referral_from_step_up(actor=world.lead, case=case, reason=REASON)
    with django_assert_max_num_queries(14):
        assert client.get(status_url(case)).status_code == 200
    other = taf_case(world)
    with django_assert_max_num_queries(14):
        assert client.get(step_up_url(other)).status_code == 200
