"""Shared fixtures: a small world of agencies and one user per role, cases in each state, a
signed-in client per role, and the configuration re-seeded after transactional flushes."""

import time

import pytest
from django.apps import apps as django_apps
from django.test import Client

from assessments.configuration import seed_outcome_tools
from assessments.models import OutcomeTool
from cases import services
from cases.configuration import seed_configuration
from cases.middleware import SESSION_STARTED, SESSION_TOUCHED
from cases.models import AgencyType, ClosureReason, LevelOfNeed
from cases.roles import Role
from outcomes.closure_config import seed_destinations
from outcomes.models import ClosureDestination
from tests.factories import AgencyFactory, LocalityFactory, TeamFactory, UserFactory, family_with_members
from tests.openapi import check_api_responses


@pytest.fixture(autouse=True)
def _configuration(db):
    # Migrations seed it (cases 0002, assessments 0003, outcomes 0002); transactional tests flush it away: then
    # seed it again.
    if not LevelOfNeed.objects.exists():
        seed_configuration(django_apps)
    if not OutcomeTool.objects.exists():
        seed_outcome_tools(django_apps)
    if not ClosureDestination.objects.exists():
        seed_destinations(django_apps)


@pytest.fixture(autouse=True)
def _api_responses_match_the_schema(monkeypatch):
    # Every /api/v1/ response a test receives is checked against the OpenAPI schema (tests/openapi.py).
    check_api_responses(monkeypatch)


@pytest.fixture
def world(db):
    """Two localities; the council's family support team (lead agency) in the north; a school and a
    health agency as partners; one user per role."""
    north = LocalityFactory(code="north", name="North")
    south = LocalityFactory(code="south", name="South")
    council = AgencyFactory(name="Council Family Support", locality=north)
    school = AgencyFactory(name="Hill School", locality=north, agency_type=AgencyType.objects.get(code="school"))
    health = AgencyFactory(name="Health Visiting", locality=south)
    team = TeamFactory(name="North Family Support", agency=council, locality=north)
    other_team = TeamFactory(name="South Family Support", agency=council, locality=south)
    panel_team = TeamFactory(name="North Panel", agency=council, locality=north)

    class World:
        pass

    w = World()
    w.north, w.south, w.council, w.school, w.health = north, south, council, school, health
    w.team, w.other_team = team, other_team
    w.duty_manager = UserFactory(username="duty", agency=council, roles=[Role.DUTY_MANAGER])
    w.panel_coordinator = UserFactory(username="panel", agency=council, team=panel_team, roles=[Role.PANEL_COORDINATOR])
    # Runs the panel for the whole county (a team without a locality).
    w.county_coordinator = UserFactory(
        username="county-panel",
        agency=council,
        team=TeamFactory(name="County Panel", agency=council, locality=None),
        roles=[Role.PANEL_COORDINATOR],
    )
    w.lead = UserFactory(username="lead", agency=council, team=team, roles=[Role.LEAD_PROFESSIONAL])
    w.other_lead = UserFactory(username="lead2", agency=council, team=other_team, roles=[Role.LEAD_PROFESSIONAL])
    w.team_manager = UserFactory(username="manager", agency=council, team=team, roles=[Role.TEAM_MANAGER])
    w.other_manager = UserFactory(username="manager2", agency=health, roles=[Role.TEAM_MANAGER])
    w.school_practitioner = UserFactory(username="school", agency=school, roles=[Role.REFERRER])
    w.health_practitioner = UserFactory(username="health", agency=health, roles=[Role.REFERRER])
    w.analyst = UserFactory(username="analyst", agency=council, roles=[Role.ANALYST])
    w.administrator = UserFactory(username="administrator", agency=council, roles=[Role.ADMINISTRATOR])
    # Users who hold several roles: each role's access adds to the others', none takes away.
    w.manager_coordinator = UserFactory(
        username="manager-panel", agency=council, team=team, roles=[Role.TEAM_MANAGER, Role.PANEL_COORDINATOR]
    )
    w.duty_lead = UserFactory(
        username="duty-lead", agency=council, team=other_team, roles=[Role.DUTY_MANAGER, Role.LEAD_PROFESSIONAL]
    )
    # A superuser with no role: configures the system, reads no case record.
    w.superuser = UserFactory(username="root", agency=council, is_superuser=True, is_staff=True)
    w.level3 = LevelOfNeed.objects.get(code="level-3")
    w.outcomes_met = ClosureReason.objects.get(code="outcomes-met")
    return w


# Every user of `world`, one per role and scope: for role-by-case matrices.
VIEWERS = [
    *("duty_manager", "panel_coordinator", "county_coordinator", "lead", "other_lead", "team_manager"),
    *("other_manager", "school_practitioner", "health_practitioner", "analyst", "administrator"),
    *("manager_coordinator", "duty_lead", "superuser"),
]


def open_case(w, *, status: str = "active", locality=None, lead=None, members=()):
    """A case in the north (by default) moved through the real services to `status`."""
    family = family_with_members(locality=locality or w.north)
    case = services.case_open(actor=w.duty_manager, family=family, level_of_need=w.level3)
    if status == "awaiting_allocation":
        return case
    team = w.team if (lead or w.lead).team_id == w.team.pk else w.other_team
    services.case_allocate(
        actor=w.panel_coordinator if case.locality_id == w.north.pk else w.county_coordinator,
        case=case,
        lead_agency=w.council,
        team=team,
    )
    if status == "awaiting_lead_professional":
        case.refresh_from_db()
        return case
    manager = w.team_manager if team == w.team else _manager_of(team)
    services.case_assign_lead_professional(actor=manager, case=case, lead_professional=lead or w.lead)
    for user, role in members:
        services.case_member_add(actor=manager, case=case, user=user, role=role)
    if status == "active":
        case.refresh_from_db()
        return case
    services.case_request_closure(actor=manager, case=case, reason=w.outcomes_met, summary="Goals met.")
    if status == "closure_requested":
        case.refresh_from_db()
        return case
    services.case_sign_off_closure(actor=manager, case=case)
    case.refresh_from_db()
    return case


def _manager_of(team):
    from cases.models import User

    manager = User.objects.filter(team=team, groups__name=Role.TEAM_MANAGER).first()
    return manager or UserFactory(agency=team.agency, team=team, roles=[Role.TEAM_MANAGER])


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        # As after a first page: the session is saved again only once a minute, so counts of
        # queries are those of a practitioner's every page.
        session = client.session
        session[SESSION_STARTED] = session[SESSION_TOUCHED] = int(time.time())
        session.save()
        return client

    return make
