"""Queries of cases compiled once per shape of user (cases.permissions.ForUser): every user of a
shape gets their own answer, the same as the queryset built for them would give."""

import pytest

from cases import selectors
from cases.permissions import CASE_PERMS, ForUser, UserStandIn, access_shape, permission_ids_clear
from tests.conftest import VIEWERS, open_case
from tests.factories import UserFactory

HOME_LISTS = [
    "HOME_LED",
    "HOME_TEAMS",
    "HOME_AWAITING_ALLOCATION",
    "HOME_CLOSURES",
    "HOME_AWAITING_LEAD",
    "HOME_RECENT",
]


@pytest.fixture
def cases(world):
    return [
        open_case(world, members=[(world.school_practitioner, "School")]),
        open_case(world, lead=world.other_lead, locality=world.south),
        open_case(world, status="awaiting_allocation", locality=world.south),
        open_case(world, status="awaiting_lead_professional"),
        open_case(world, status="closure_requested", members=[(world.health_practitioner, "Health")]),
        open_case(world, status="closed"),
    ]


def _seen(user, case_id):
    found = selectors.CASE_PAGE.page(user, limit=1, case_id=case_id)
    return [(c.pk, c.details_visible, *(getattr(c, p) for p in CASE_PERMS)) for c in found]


def _seen_built(user, case_id):
    built = selectors._case_query(user, "view_case", with_perms=True).filter(pk=case_id)
    return [(c.pk, c.details_visible, *(getattr(c, p) for p in CASE_PERMS)) for c in built]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_case_page_query_answers_each_viewer_as_the_built_query_does(world, cases, viewer):
    user = getattr(world, viewer)
    for case in cases:
        assert _seen(user, case.pk) == _seen_built(user, case.pk), case.status


@pytest.mark.parametrize("name", HOME_LISTS)
def test_each_home_list_answers_each_viewer_as_the_built_query_does(world, cases, name):
    query = getattr(selectors, name)
    for viewer in VIEWERS:
        user = getattr(world, viewer)
        assert query.page(user, limit=10) == list(query.build(user)[:10]), viewer


def test_two_users_of_one_shape_share_a_compiled_query_but_not_their_answers(world, cases):
    # Two lead professionals of the same agency in different teams: one shape, different cases.
    assert access_shape(world.lead)[0] == access_shape(world.other_lead)[0]
    compiled_before = len(selectors.HOME_LED.by_shape)

    mine = selectors.HOME_LED.page(world.lead, limit=10)
    theirs = selectors.HOME_LED.page(world.other_lead, limit=10)

    assert {c.lead_professional_id for c in mine} == {world.lead.pk}
    assert {c.lead_professional_id for c in theirs} == {world.other_lead.pk}
    assert len(selectors.HOME_LED.by_shape) <= compiled_before + 1


def test_a_deactivated_user_gets_the_built_query_and_sees_nothing(world, cases):
    world.lead.is_active = False

    assert access_shape(world.lead) is None
    assert selectors.CASE_PAGE.page(world.lead, limit=1, case_id=cases[0].pk) == []


def test_the_stand_in_has_only_what_the_rules_read(world):
    shape, ids = access_shape(world.lead)
    stand_in = UserStandIn(shape, ids)

    assert stand_in.pk == world.lead.pk and stand_in.has_role("lead_professional")
    with pytest.raises(AttributeError):
        stand_in.email  # noqa: B018 (a rule reading it must fail when compiled)
    with pytest.raises(AttributeError):
        stand_in.team  # noqa: B018 (only a panel coordinator's team locality is read)


def test_a_coordinator_without_a_locality_is_another_shape(world):
    local, county = access_shape(world.panel_coordinator), access_shape(world.county_coordinator)

    assert "locality_id" in local[1] and "locality_id" not in county[1]
    assert local[0] != county[0]


def test_a_migrate_or_flush_forgets_the_compiled_queries(world, cases):
    selectors.CASE_PAGE.page(world.lead, limit=1, case_id=cases[0].pk)
    assert selectors.CASE_PAGE.by_shape

    permission_ids_clear()

    assert all(not query.by_shape for query in ForUser._all)


def test_a_user_with_no_agency_and_no_roles(world, cases):
    nobody = UserFactory(agency=None)

    assert selectors.HOME_TEAMS.page(nobody, limit=10) == []
    assert _seen(nobody, cases[0].pk) == _seen_built(nobody, cases[0].pk) == []
