"""Consent per person: who may decide (an adult with parental responsibility, or a young person of 11
or over with a recorded judgement that they can decide: age alone is not enough), "not sought" only
for the assessment and only by a team manager, and given consent always has its evidence."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.models import Consent, FamilyMembership, Person
from cases.services import CONSENT_MIN_AGE
from tests.conftest import open_case
from tests.factories import PersonFactory

JUDGEMENT = "Understands what the assessment is and who will see it; explained it back in her own words."


def _years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)) - datetime.timedelta(days=days)


@pytest.fixture
def case(world):
    return open_case(world)


def _member(case, *, kind=Person.Kind.ADULT, pr=False, born=None, household=True) -> Person:
    person = PersonFactory(kind=kind, date_of_birth=born)
    FamilyMembership.objects.create(
        family=case.family, person=person, parental_responsibility=pr, in_household=household
    )
    return person


def _record(world, case, person, **changes) -> Consent:
    kwargs = {
        "actor": world.lead,
        "family": case.family,
        "person": person,
        "scope": Consent.Scope.ASSESSMENT,
        "status": Consent.Status.GIVEN,
        "evidence": Consent.Evidence.VERBAL,
        "method": Consent.Method.IN_PERSON,
        "witness": "Sam Patel, family support worker",
        "decided_on": timezone.localdate(),
        "case": case,
        **changes,
    }
    return services.consent_record(**kwargs)


def _refused(world, case, person, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        _record(world, case, person, **changes)
    return refused.value.message_dict


def test_an_adult_with_parental_responsibility_decides(world, case):
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    consent = _record(world, case, parent)
    assert (consent.status, consent.method, consent.witness) == (
        "given",
        "in_person",
        "Sam Patel, family support worker",
    )


def test_an_adult_without_parental_responsibility_does_not(world, case):
    stepfather = _member(case, pr=False)
    assert _refused(world, case, stepfather)["person"] == [
        "Select an adult with parental responsibility, or a young person able to decide"
    ]


def test_someone_outside_the_family_does_not(world, case):
    stranger = PersonFactory(kind=Person.Kind.ADULT)
    assert _refused(world, case, stranger)["person"] == ["Select a member of this family"]


def test_a_young_person_decides_with_a_recorded_judgement(world, case):
    young = _member(case, kind=Person.Kind.CHILD, born=_years_ago(14))
    consent = _record(world, case, young, capacity_judgement=JUDGEMENT)
    assert consent.capacity_judgement == JUDGEMENT


def test_age_alone_is_not_enough(world, case):
    young = _member(case, kind=Person.Kind.CHILD, born=_years_ago(15))
    assert _refused(world, case, young, capacity_judgement="  ")["capacity_judgement"] == [
        "Enter why the young person is able to make this decision"
    ]


@pytest.mark.parametrize(
    "born",
    [
        pytest.param(_years_ago(CONSENT_MIN_AGE, days=-3), id="a few days short of 11"),
        pytest.param(_years_ago(6), id="6"),
        pytest.param(None, id="date of birth not known"),
    ],
)
def test_a_child_under_the_minimum_age_cannot_decide_whatever_the_judgement(world, case, born):
    child = _member(case, kind=Person.Kind.CHILD, born=born)
    errors = _refused(world, case, child, capacity_judgement=JUDGEMENT)
    assert errors["person"][0].startswith("Select an adult with parental responsibility: a child under 11")


def test_the_minimum_age_is_reached_on_the_birthday(world, case):
    eleven = _member(case, kind=Person.Kind.CHILD, born=_years_ago(CONSENT_MIN_AGE))
    assert _record(world, case, eleven, capacity_judgement=JUDGEMENT).status == "given"


def test_not_sought_only_by_a_team_manager(world, case):
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    changes = {"status": Consent.Status.NOT_SOUGHT, "evidence": "", "not_sought_reason": "Asking would alert him."}
    assert _refused(world, case, parent, **changes)["status"] == [
        "Only a team manager can decide that consent is not sought"
    ]
    consent = _record(world, case, parent, actor=world.team_manager, **changes)
    assert (consent.status, consent.not_sought_reason) == ("not_sought", "Asking would alert him.")


def test_not_sought_only_for_the_assessment(world, case):
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    errors = _refused(
        world,
        case,
        parent,
        actor=world.team_manager,
        scope=Consent.Scope.SHARING,
        agency=world.school,
        status=Consent.Status.NOT_SOUGHT,
        not_sought_reason="Risk.",
    )
    assert errors["status"] == ["Consent can be recorded as not sought only for the assessment"]


def test_given_in_the_app_needs_method_and_witness(world, case):
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    errors = _refused(world, case, parent, method="", witness="")
    assert errors["method"] == ["Select how the decision was made"]
    assert errors["witness"] == ["Enter who witnessed the decision"]


def test_refused_and_withdrawn_need_no_evidence(world, case):
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    for status in (Consent.Status.REFUSED, Consent.Status.WITHDRAWN):
        assert _record(world, case, parent, status=status, evidence="", method="", witness="").status == status


# --- The page ------------------------------------------------------------------------------------


def test_the_page_offers_only_those_who_may_decide_and_says_select(world, client_for, case):
    young = _member(case, kind=Person.Kind.CHILD, born=_years_ago(13))
    small = _member(case, kind=Person.Kind.CHILD, born=_years_ago(5))
    no_pr = _member(case, pr=False)
    html = client_for(world.lead).get(f"/cases/{case.pk}/consent/add/").content.decode()

    assert f'value="{young.pk}"' in html and "aged 13" in html
    assert f'value="{small.pk}"' not in html
    assert f'value="{no_pr.pk}"' not in html
    assert "Choose" not in html
    # "Not sought" is the team manager's to decide: the lead professional is not offered it.
    assert 'value="not_sought"' not in html
    manager = client_for(world.team_manager).get(f"/cases/{case.pk}/consent/add/").content.decode()
    assert 'value="not_sought"' in manager


def test_the_page_asks_a_young_persons_judgement(world, client_for, case):
    young = _member(case, kind=Person.Kind.CHILD, born=_years_ago(13))
    today = timezone.localdate()
    data = {
        "person": str(young.pk),
        "scope": "assessment",
        "status": "given",
        "evidence": "verbal",
        "method": "in_person",
        "witness": "Sam Patel",
        "decided_on_0": str(today.day),
        "decided_on_1": str(today.month),
        "decided_on_2": str(today.year),
    }
    client = client_for(world.lead)
    response = client.post(f"/cases/{case.pk}/consent/add/", data)
    assert "Enter why the young person is able to make this decision" in response.content.decode()
    response = client.post(f"/cases/{case.pk}/consent/add/", {**data, "capacity_judgement": JUDGEMENT})
    assert response.status_code == 302
    assert Consent.objects.get(person=young).capacity_judgement == JUDGEMENT
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "In person, witnessed by Sam Patel" in page
    assert f"Able to decide: {JUDGEMENT}" in page


def test_the_consent_history_page(world, client_for, case, django_assert_max_num_queries):
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    for status in ("given", "withdrawn", "given"):
        _record(world, case, parent, scope=Consent.Scope.SHARING, agency=world.school, status=status)
    client = client_for(world.lead)
    client.get(f"/cases/{case.pk}/consent/")
    with django_assert_max_num_queries(12):
        html = client.get(f"/cases/{case.pk}/consent/").content.decode()
    assert html.count("Sharing information with an agency: Hill School") == 3
    assert client_for(world.health_practitioner).get(f"/cases/{case.pk}/consent/").status_code == 404


def test_the_page_flags_a_parent_not_to_be_contacted(world, client_for, case):
    father = _member(case, pr=True)
    Person.objects.filter(pk=father.pk).update(do_not_contact=True)
    html = client_for(world.lead).get(f"/cases/{case.pk}/consent/add/").content.decode()
    assert f"{father.full_name} (adult with parental responsibility). Do not contact." in html
