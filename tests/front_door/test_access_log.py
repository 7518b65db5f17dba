"""Who viewed this child, at the front door: a view of a referral that names a known child (linked
to the record, or carrying a known NHS number or Unique Pupil Number) is in that child's access
log, through the page and the API alike, before any decision links them."""

import dataclasses
import random

import pytest

from cases.models import AccessLog, Person
from cases.selectors import person_viewers
from cases.synthetic import synthetic_upn
from tests.factories import PersonFactory
from tests.front_door.helpers import person_data


@pytest.fixture
def known_child(db):
    return PersonFactory(kind=Person.Kind.CHILD, first_name="Amara", last_name="Okafor", upn="")


@pytest.mark.parametrize("url", ["/front-door/referrals/{id}/", "/api/v1/referrals/{id}/"])
def test_a_view_of_a_referral_naming_a_known_child_is_in_the_childs_log(
    world, client_for, submit_referral, known_child, url
):
    referral = submit_referral(people=[person_data(known_child)])
    assert referral.people.get().person_id is None  # nobody has linked them yet

    response = client_for(world.duty_manager).get(url.format(id=referral.pk))

    assert response.status_code == 200
    row = person_viewers(person=known_child).get()
    assert (row.user, row.action, row.record_type, row.record_id) == (
        world.duty_manager,
        AccessLog.Action.VIEW,
        "referral",
        referral.pk,
    )


def test_a_referral_naming_two_known_children_is_in_each_childs_log(world, client_for, submit_referral):
    first = PersonFactory(kind=Person.Kind.CHILD)
    # Known by their Unique Pupil Number only.
    second = PersonFactory(kind=Person.Kind.CHILD, nhs_number="", upn=synthetic_upn(random.Random(7)))
    referral = submit_referral(people=[person_data(first), dataclasses.replace(person_data(second), upn=second.upn)])

    client_for(world.duty_manager).get(f"/front-door/referrals/{referral.pk}/")

    assert person_viewers(person=first).count() == 1
    assert person_viewers(person=second).count() == 1


def test_a_refused_view_of_such_a_referral_is_in_the_childs_log_too(world, client_for, submit_referral, known_child):
    referral = submit_referral(people=[person_data(known_child)])

    response = client_for(world.health_practitioner).get(f"/api/v1/referrals/{referral.pk}/")

    assert response.status_code == 404
    assert person_viewers(person=known_child).get().action == AccessLog.Action.DENIED
