"""Who may see and change a case, through the pages and the API alike: the permission matrix, the
same 404 for "not yours" as for "missing", grants that follow the team around the family, analysts
who see counts but never names, and list queries that do not grow with the number of cases."""

from __future__ import annotations

import re
from typing import NamedTuple

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.models import Case, CaseMember, ChronologyEntry, Family, Person
from cases.roles import Role
from tests.conftest import open_case
from tests.factories import TeamFactory, UserFactory, family_with_members

MISSING_CASE_ID = 987_654_321
MAX_LIST_QUERIES = 12
NOTE = {"kind": "note", "summary": "Spoke to the family about school attendance"}
API_NOTE = {"kind": "note", "summary": "Phoned the family about the next meeting"}


def open_south_case(w) -> Case:
    """An active case led by `other_lead` in the South team, south locality.

    Built here because open_case(locality=south) cannot allocate: it asks the North team's
    manager, who holds no permission on an unallocated southern case."""
    coordinator = UserFactory(
        agency=w.council,
        team=TeamFactory(name="South Panel", agency=w.council, locality=w.south),
        roles=[Role.PANEL_COORDINATOR],
    )
    manager = UserFactory(agency=w.council, team=w.other_team, roles=[Role.TEAM_MANAGER])
    case = services.case_open(
        actor=w.duty_manager, family=family_with_members(locality=w.south), level_of_need=w.level3
    )
    services.case_allocate(actor=coordinator, case=case, lead_agency=w.council, team=w.other_team)
    services.case_assign_lead_professional(actor=manager, case=case, lead_professional=w.other_lead)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(world):
    """`north`: led by `lead` in the North team, the school practitioner in its team around the
    family. `south`: led by `other_lead` in the South team, with the duty manager who also leads
    families in its team."""
    south = open_south_case(world)
    services.case_member_add(actor=world.other_lead, case=south, user=world.duty_lead, role="Family worker")
    return {
        "north": open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")]),
        "south": south,
    }


class Row(NamedTuple):
    viewer: str  # attribute of `world`
    case: str  # key of `cases`
    read: bool
    write: bool
    list_page: int  # status of /cases/ for this viewer


MATRIX = [
    pytest.param(Row("duty_manager", "north", True, False, 200), id="duty manager, a north case: read only"),
    pytest.param(Row("duty_manager", "south", True, False, 200), id="duty manager, a south case: read only"),
    pytest.param(Row("panel_coordinator", "north", True, True, 200), id="panel coordinator, own locality"),
    pytest.param(Row("panel_coordinator", "south", False, False, 200), id="panel coordinator, other locality"),
    pytest.param(Row("lead", "north", True, True, 200), id="lead professional, own case"),
    pytest.param(Row("lead", "south", False, False, 200), id="lead professional, another lead's case"),
    pytest.param(Row("other_lead", "south", True, True, 200), id="other lead professional, own case"),
    pytest.param(Row("other_lead", "north", False, False, 200), id="other lead professional, another's case"),
    pytest.param(Row("team_manager", "north", True, True, 200), id="team manager, own team's case"),
    # Team managers act on their own team's cases (and their agency's not yet given to a team).
    pytest.param(Row("team_manager", "south", False, False, 200), id="team manager, other team same agency"),
    pytest.param(Row("other_manager", "north", False, False, 200), id="team manager of another agency"),
    pytest.param(Row("school_practitioner", "north", True, True, 200), id="school practitioner in the TAF"),
    pytest.param(Row("school_practitioner", "south", False, False, 200), id="school practitioner not in it"),
    pytest.param(Row("health_practitioner", "north", False, False, 200), id="partner not involved"),
    pytest.param(Row("analyst", "north", False, False, 403), id="analyst"),
    pytest.param(Row("administrator", "north", False, False, 403), id="administrator (role, not superuser)"),
    pytest.param(Row("superuser", "north", False, False, 403), id="superuser with no role: configures only"),
    # Several roles: each adds its own access, none takes another's away.
    pytest.param(Row("manager_coordinator", "north", True, True, 200), id="team manager and coordinator, north"),
    pytest.param(Row("manager_coordinator", "south", False, False, 200), id="team manager and coordinator, south"),
    pytest.param(Row("duty_lead", "north", True, False, 200), id="duty manager and lead, another's case"),
    pytest.param(Row("duty_lead", "south", True, True, 200), id="duty manager and lead, in its team"),
]
DENIED = [p for p in MATRIX if not p.values[0].read]
READ_ONLY = [p for p in MATRIX if p.values[0].read and not p.values[0].write]

READ_STATUS = {True: 200, False: 404}
PAGE_WRITE_STATUS = {True: 302, False: 404}
API_WRITE_STATUS = {True: 201, False: 404}


def same_body(content: bytes) -> str:
    """A page with what changes on every request (CSP nonce, CSRF token) blanked."""
    text = content.decode()
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', text)


def api_references(response) -> set[str]:
    assert response.status_code == 200
    return {row["reference"] for row in response.json()["results"]}


# --- The matrix, through the pages ------------------------------------------------------------


@pytest.mark.parametrize("row", MATRIX)
def test_case_page(world, cases, client_for, row):
    case = cases[row.case]

    response = client_for(getattr(world, row.viewer)).get(f"/cases/{case.pk}/")

    assert response.status_code == READ_STATUS[row.read]
    assert (case.reference in response.content.decode()) is row.read


@pytest.mark.parametrize("row", MATRIX)
def test_add_note_page(world, cases, client_for, row):
    case = cases[row.case]

    response = client_for(getattr(world, row.viewer)).post(f"/cases/{case.pk}/notes/add/", NOTE)

    assert response.status_code == PAGE_WRITE_STATUS[row.write]
    assert response.headers.get("Location") == {True: f"/cases/{case.pk}/", False: None}[row.write]
    assert ChronologyEntry.objects.filter(case=case, summary=NOTE["summary"]).count() == int(row.write)


@pytest.mark.parametrize("row", MATRIX)
def test_case_list_page(world, cases, client_for, row):
    case = cases[row.case]

    response = client_for(getattr(world, row.viewer)).get("/cases/")

    assert response.status_code == row.list_page
    assert (case.reference in response.content.decode()) is row.read


# --- The same matrix, through the API ---------------------------------------------------------


@pytest.mark.parametrize("row", MATRIX)
def test_api_case_list(world, cases, client_for, row):
    response = client_for(getattr(world, row.viewer)).get("/api/v1/cases/")

    # The API's list is for the same roles as the page's.
    assert response.status_code == row.list_page
    references = {case["reference"] for case in response.json().get("results", [])}
    assert (cases[row.case].reference in references) is row.read


@pytest.mark.parametrize("row", MATRIX)
def test_api_case_detail(world, cases, client_for, row):
    case = cases[row.case]

    response = client_for(getattr(world, row.viewer)).get(f"/api/v1/cases/{case.pk}/")

    assert response.status_code == READ_STATUS[row.read]
    assert (response.json().get("reference") == case.reference) is row.read


@pytest.mark.parametrize("row", MATRIX)
def test_api_chronology_read(world, cases, client_for, row):
    case = cases[row.case]

    response = client_for(getattr(world, row.viewer)).get(f"/api/v1/cases/{case.pk}/chronology/")

    assert response.status_code == READ_STATUS[row.read]
    assert ("results" in response.json()) is row.read


@pytest.mark.parametrize("row", MATRIX)
def test_api_chronology_write(world, cases, client_for, row):
    case = cases[row.case]

    response = client_for(getattr(world, row.viewer)).post(
        f"/api/v1/cases/{case.pk}/chronology/", API_NOTE, content_type="application/json"
    )

    assert response.status_code == API_WRITE_STATUS[row.write]
    assert ChronologyEntry.objects.filter(case=case, summary=API_NOTE["summary"]).count() == int(row.write)


# --- "Not yours" looks exactly like "missing" ---------------------------------------------------

ENDPOINTS = [
    pytest.param("get", "/cases/{}/", {}, id="case page"),
    pytest.param("post", "/cases/{}/notes/add/", NOTE, id="add note page"),
    pytest.param("get", "/cases/{}/consent/add/", {}, id="consent page"),
    pytest.param("get", "/api/v1/cases/{}/", {}, id="api detail"),
    pytest.param("get", "/api/v1/cases/{}/chronology/", {}, id="api chronology"),
    pytest.param("post", "/api/v1/cases/{}/chronology/", API_NOTE, id="api add note"),
]


@pytest.mark.parametrize("method, url, data", ENDPOINTS)
@pytest.mark.parametrize("row", DENIED)
def test_a_case_that_is_not_yours_looks_missing(world, cases, client_for, row, method, url, data):
    client = client_for(getattr(world, row.viewer))

    not_yours = getattr(client, method)(url.format(cases[row.case].pk), data)
    missing = getattr(client, method)(url.format(MISSING_CASE_ID), data)

    assert not_yours.status_code == missing.status_code == 404
    assert same_body(not_yours.content) == same_body(missing.content)
    assert cases[row.case].reference not in not_yours.content.decode()


WRITE_ENDPOINTS = [p for p in ENDPOINTS if p.values[0] == "post"]


@pytest.mark.parametrize("method, url, data", WRITE_ENDPOINTS)
@pytest.mark.parametrize("row", READ_ONLY)
def test_writing_to_a_case_you_may_only_read_looks_missing(world, cases, client_for, row, method, url, data):
    client = client_for(getattr(world, row.viewer))

    read_only = getattr(client, method)(url.format(cases[row.case].pk), data)
    missing = getattr(client, method)(url.format(MISSING_CASE_ID), data)

    assert read_only.status_code == missing.status_code == 404
    assert same_body(read_only.content) == same_body(missing.content)


# --- Grants follow the team around the family ---------------------------------------------------


def test_joining_the_team_grants_view_and_change(world, cases, client_for):
    case = cases["north"]
    client = client_for(world.health_practitioner)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert case.reference not in client.get("/cases/").content.decode()

    services.case_member_add(actor=world.lead, case=case, user=world.health_practitioner, role="Health visitor")

    assert case.reference in client.get("/cases/").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert case.reference in api_references(client.get("/api/v1/cases/"))
    assert client.post(f"/cases/{case.pk}/notes/add/", NOTE).status_code == 302
    assert client.get(f"/cases/{case.pk}/team/add/").status_code == 404  # a member does not manage the team


def test_leaving_the_team_revokes_access(world, cases, client_for):
    case = cases["north"]
    client = client_for(world.school_practitioner)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    member = CaseMember.objects.get(case=case, user=world.school_practitioner, ended_at__isnull=True)

    services.case_member_remove(actor=world.lead, member=member)

    assert case.reference not in client.get("/cases/").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/notes/add/", NOTE).status_code == 404
    assert case.reference not in api_references(client.get("/api/v1/cases/"))
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/chronology/").status_code == 404
    assert not ChronologyEntry.objects.filter(case=case, summary=NOTE["summary"]).exists()


def test_a_new_lead_professional_takes_over_managing_the_case(world, cases, client_for):
    case = cases["north"]
    old_lead, new_lead = client_for(world.lead), client_for(world.other_lead)
    assert old_lead.get(f"/cases/{case.pk}/team/add/").status_code == 200
    assert new_lead.get(f"/cases/{case.pk}/team/add/").status_code == 404

    services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.other_lead)

    assert new_lead.get(f"/cases/{case.pk}/team/add/").status_code == 200
    assert old_lead.get(f"/cases/{case.pk}/team/add/").status_code == 404
    # The previous lead stays in the team around the family as a member.
    assert old_lead.get(f"/cases/{case.pk}/").status_code == 200
    assert old_lead.post(f"/cases/{case.pk}/notes/add/", NOTE).status_code == 302
    assert CaseMember.objects.get(case=case, user=world.lead, ended_at__isnull=True).is_lead is False


def test_only_a_team_manager_can_change_the_lead_professional(world, cases):
    case = cases["north"]

    with pytest.raises(PermissionDenied):
        services.case_assign_lead_professional(actor=world.lead, case=case, lead_professional=world.other_lead)

    case.refresh_from_db()
    assert case.lead_professional == world.lead


# --- Analysts see counts, never names -----------------------------------------------------------


def name_family(case: Case, surname: str) -> list[str]:
    """Give the case's family distinctive synthetic names; returns every identifying string."""
    Family.objects.filter(pk=case.family_id).update(name=f"{surname} family", address_line_1="7 Larkspur Row")
    people = Person.objects.filter(memberships__family_id=case.family_id)
    people.filter(kind=Person.Kind.ADULT).update(first_name="Ottoline", last_name=surname)
    people.filter(kind=Person.Kind.CHILD).update(first_name="Peregrin", last_name=surname)
    return [surname, "Ottoline", "Peregrin", "7 Larkspur Row", *people.values_list("nhs_number", flat=True)]


def visible_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.parametrize("url", ["/", "/cases/figures/"])
def test_analysts_see_counts_but_no_names(world, client_for, url):
    secrets = [
        *name_family(open_case(world), "Quenby"),
        *name_family(open_case(world, status="awaiting_allocation"), "Threlkeld"),
    ]

    response = client_for(world.analyst).get(url)

    assert response.status_code == 200
    text = visible_text(response)
    assert "Active 1" in text
    assert "Awaiting allocation 1" in text
    assert [secret for secret in secrets if secret in response.content.decode()] == []


def test_the_counts_are_kept_for_a_few_minutes_and_say_when_they_were_made(world, client_for, settings):
    from django.core.cache import cache

    from cases.selectors import FIGURES_CACHE_KEY

    settings.FIGURES_CACHE_SECONDS = 300
    cache.delete(FIGURES_CACHE_KEY)
    open_case(world)
    client = client_for(world.analyst)

    first = visible_text(client.get("/cases/figures/"))
    open_case(world)
    again = visible_text(client.get("/cases/figures/"))
    cache.delete(FIGURES_CACHE_KEY)
    later = visible_text(client.get("/cases/figures/"))

    assert "Active 1" in first and "Counted at" in first
    assert "Active 1" in again  # the kept counts
    assert "Active 2" in later  # counted again once they expire


def test_analysts_cannot_open_the_case_list_or_a_case(world, client_for):
    case = open_case(world)
    name_family(case, "Quenby")
    client = client_for(world.analyst)

    assert client.get("/cases/").status_code == 403
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").status_code == 403
    assert "Quenby" not in client.get("/api/v1/cases/").content.decode()


# --- List queries do not grow with the number of cases ------------------------------------------


@pytest.mark.parametrize("viewer", ["lead", "team_manager", "duty_manager"])
@pytest.mark.parametrize("url, shown", [("/cases/", 25), ("/api/v1/cases/", 50)])
def test_case_list_queries_do_not_grow(world, client_for, django_assert_max_num_queries, viewer, url, shown):
    client = client_for(getattr(world, viewer))
    first = open_case(world)
    client.get(url)  # a session's first request stamps its start: not what is measured

    with django_assert_max_num_queries(MAX_LIST_QUERIES) as one:
        response = client.get(url)
    assert first.reference in response.content.decode()

    refs = [first.reference, *(open_case(world).reference for _ in range(49))]
    with django_assert_max_num_queries(MAX_LIST_QUERIES) as fifty:
        response = client.get(url)

    assert sum(ref in response.content.decode() for ref in refs) == shown
    assert len(fifty) == len(one)


# --- Rules rebuilt for each user on every call ----------------------------------------------------


def test_users_of_the_same_kind_in_different_places_each_see_only_their_own(world, client_for):
    """Two panel coordinators and two team managers, alike but for where they work: each sees the
    cases of their own locality or team only (an access rule is never reused from another user)."""
    south = open_south_case(world)
    north = open_case(world)
    south_coordinator = UserFactory(
        agency=world.council,
        team=TeamFactory(name="South Panel 2", agency=world.council, locality=world.south),
        roles=[Role.PANEL_COORDINATOR],
    )
    south_manager = UserFactory(agency=world.council, team=world.other_team, roles=[Role.TEAM_MANAGER])

    seen = {
        who: api_references(client_for(user).get("/api/v1/cases/"))
        for who, user in [
            ("north coordinator", world.panel_coordinator),
            ("south coordinator", south_coordinator),
            ("north manager", world.team_manager),
            ("south manager", south_manager),
        ]
    }

    assert seen == {
        "north coordinator": {north.reference},
        "south coordinator": {south.reference},
        "north manager": {north.reference},
        "south manager": {south.reference},
    }


def test_a_case_opened_after_a_page_was_read_is_on_the_next_page(world, client_for):
    client = client_for(world.lead)
    first = open_case(world)
    assert first.reference in client.get("/").content.decode()

    second = open_case(world)

    assert second.reference in client.get("/").content.decode()
    assert second.reference in api_references(client.get("/api/v1/cases/"))


def test_only_practitioners_are_offered_for_the_team_around_the_family(world, client_for):
    case = open_case(world)

    response = client_for(world.lead).get(f"/cases/{case.pk}/team/add/")
    offered = {value.instance.username for value, _label in response.context["form"].fields["user"].choices if value}

    assert {"school", "health", "lead2"} <= offered
    assert offered.isdisjoint({"analyst", "administrator", "root"})


def test_an_analyst_cannot_be_added_to_the_team_by_any_route(world):
    case = open_case(world)

    with pytest.raises(ValidationError) as error:
        services.case_member_add(actor=world.lead, case=case, user=world.analyst, role="Data")

    assert "practitioner" in str(error.value)
