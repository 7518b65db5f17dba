"""The case list: searched by name and reference, filtered by lead professional, sorted by when
opened, by family name or by what falls due next; only the cases the user may see, a family whose
details are hidden from them never found nor sorted by its name; filters that are not among the
choices get a message (400), never a 500; and the same queries however many cases."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.deadlines import deadline_start
from cases.models import Family, Person
from tests.conftest import open_case
from tests.factories import UserFactory

LIST = "/cases/"


def references(content: str) -> list[str]:
    """The case references the list's table links to, in order."""
    return re.findall(r'href="/cases/\d+/">(C-[0-9-]+)</a>', content)


def name_family(case, surname: str, child: str) -> None:
    Family.objects.filter(pk=case.family_id).update(name=f"{surname} family")
    people = Person.objects.filter(memberships__family_id=case.family_id)
    people.filter(kind=Person.Kind.ADULT).update(first_name="Grace", last_name=surname)
    people.filter(kind=Person.Kind.CHILD).update(first_name=child, last_name=surname)


def due(case, days: int) -> None:
    deadline_start(
        timescale_code="front-door-decision",
        subject_type="case-test",
        subject_id=case.pk,
        reference=case.reference,
        case=case,
        due_at=timezone.now() + datetime.timedelta(days=days),
    )


@pytest.fixture
def families(world):
    """Three cases the team manager oversees, opened a day apart: the Okafors' (led by `lead`,
    opened first, due in 10 days), the Bells' (led by `lead`, due in 2 days) and the Achterbergs'
    (awaiting a lead professional, nothing due). The school is in the Okafors' team around the
    family, without the family's consent to share."""
    okafor = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    bell = open_case(world)
    achterberg = open_case(world, status="awaiting_lead_professional")
    now = timezone.now()
    for n, (case, surname, child) in enumerate(
        [(okafor, "Okafor", "Amara"), (bell, "Bell", "Tobias"), (achterberg, "Achterberg", "Mila")]
    ):
        name_family(case, surname, child)
        type(case).objects.filter(pk=case.pk).update(opened_at=now - datetime.timedelta(days=3 - n))
    due(okafor, 10)
    due(bell, 2)
    return {"okafor": okafor, "bell": bell, "achterberg": achterberg}


# --- Search ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("Okafor", ["okafor"]),
        ("okaf", ["okafor"]),
        ("Amara", ["okafor"]),
        ("Amara Okafor", ["okafor"]),
        ("grace", ["achterberg", "bell", "okafor"]),  # newest first
        ("Grace Bell", ["bell"]),
        ("Amara Bell", []),
        ("Nobody", []),
    ],
)
def test_the_list_is_searched_by_the_name_of_anyone_in_the_family(world, client_for, families, search, found):
    response = client_for(world.team_manager).get(LIST, {"search": search})

    assert response.status_code == 200
    assert references(response.content.decode()) == [families[key].reference for key in found]
    assert f'value="{search}"' in response.content.decode()


def test_the_list_is_searched_by_reference_in_any_case(world, client_for, families):
    bell = families["bell"]
    client = client_for(world.team_manager)

    assert references(client.get(LIST, {"search": bell.reference}).content.decode()) == [bell.reference]
    assert references(client.get(LIST, {"search": f" {bell.reference.lower()} "}).content.decode()) == [bell.reference]


def test_a_family_hidden_from_the_user_is_found_by_reference_but_never_by_name(world, client_for, families):
    okafor = families["okafor"]
    school = client_for(world.school_practitioner)

    listed = school.get(LIST).content.decode()
    by_name = school.get(LIST, {"search": "Okafor"}).content.decode()
    by_reference = school.get(LIST, {"search": okafor.reference}).content.decode()

    assert references(listed) == [okafor.reference]  # in the team: listed, the family not named
    # In the list of cases (the filter's list of staff may hold a practitioner of that surname).
    assert "Okafor" not in listed.split("<table", 1)[1]
    assert references(by_name) == []
    assert references(by_reference) == [okafor.reference]


def test_the_search_finds_only_cases_the_user_may_see(world, client_for, families):
    health = client_for(world.health_practitioner)  # in no team around these families

    assert references(health.get(LIST, {"search": families["bell"].reference}).content.decode()) == []
    assert references(health.get(LIST, {"search": "Bell"}).content.decode()) == []


# --- Lead professional ---------------------------------------------------------------------------------


def test_the_list_is_filtered_by_lead_professional(world, client_for, families):
    open_case(world, lead=world.other_lead)
    client = client_for(world.duty_manager)  # sees every case

    by_lead = client.get(LIST, {"lead_professional": world.lead.pk}).content.decode()
    unassigned = client.get(LIST, {"lead_professional": "none"}).content.decode()

    assert references(by_lead) == [families["bell"].reference, families["okafor"].reference]
    assert references(unassigned) == [families["achterberg"].reference]
    assert (
        f'<option value="{world.lead.pk}" selected>{world.lead.get_full_name()}, Council Family Support</option>'
        in by_lead
    )


def test_the_lead_professionals_offered_are_those_who_may_lead(world, client_for, families):
    UserFactory(username="left", first_name="Former", last_name="Worker", is_active=False, roles=["lead_professional"])

    content = client_for(world.team_manager).get(LIST).content.decode()

    assert f">{world.lead.get_full_name()}, Council Family Support</option>" in content
    assert f">{world.other_lead.get_full_name()}, Council Family Support</option>" in content
    assert "Former Worker" not in content
    assert f">{world.team_manager.get_full_name()}, " not in content
    assert '<option value="none">Not yet assigned</option>' in content


# --- Sort ----------------------------------------------------------------------------------------------


def test_the_list_is_sorted_by_opened_family_name_or_next_due(world, client_for, families):
    client = client_for(world.team_manager)
    f = families

    opened = references(client.get(LIST).content.decode())
    by_family = client.get(LIST, {"sort": "family"}).content.decode()
    by_due = client.get(LIST, {"sort": "due"}).content.decode()

    assert opened == [f["achterberg"].reference, f["bell"].reference, f["okafor"].reference]
    assert references(by_family) == [f["achterberg"].reference, f["bell"].reference, f["okafor"].reference]
    assert references(by_due) == [f["bell"].reference, f["okafor"].reference, f["achterberg"].reference]
    assert '<option value="due" selected>Next due (soonest first)</option>' in by_due
    assert "Nothing due" in by_due


def test_families_hidden_from_the_user_sort_last_whatever_their_name(world, client_for, families):
    hidden = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    name_family(hidden, "Aaronson", "Zed")
    shared = families["okafor"]
    services.consent_record(
        actor=world.lead,
        family=shared.family,
        case=shared,
        person=Person.objects.filter(memberships__family_id=shared.family_id, kind=Person.Kind.ADULT).first(),
        scope="sharing",
        status="given",
        agency=world.school,
        evidence="written",
        decided_on=timezone.localdate(),
        not_sought_reason="",
    )

    content = client_for(world.school_practitioner).get(LIST, {"sort": "family"}).content.decode()

    assert references(content) == [shared.reference, hidden.reference]
    assert "Aaronson" not in content.split("<main")[1]


def test_paging_keeps_the_search_filters_and_sort(world, client_for, families):
    for _ in range(26):
        case = open_case(world)
        name_family(case, "Okafor", "Child")

    content = client_for(world.team_manager).get(LIST, {"search": "Okafor", "sort": "due"}).content.decode()

    assert len(references(content)) == 25
    assert 'href="?search=Okafor&amp;sort=due&page=2"' in content


# --- Bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"locality": "\u00b2"}, "locality", "Select a locality from the list"),
        ({"locality": "\u0661"}, "locality", "Select a locality from the list"),
        ({"lead_professional": "\u00b2"}, "lead_professional", "Select a lead professional from the list"),
        ({"lead_professional": "99999999999999999999999"}, "lead_professional", "Select a lead professional"),
        ({"status": "lost"}, "status", "Select a status from the list"),
        ({"sort": "surname"}, "sort", "Select an order from the list"),
        ({"search": "Oka\x1bfor"}, "search", "Name or reference must only include letters, numbers"),
    ],
)
def test_filters_that_are_not_among_the_choices_get_a_message_not_a_500(
    world, client_for, families, params, field, message
):
    response = client_for(world.team_manager).get(LIST, params)

    content = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Cases" in content
    assert f'<a href="#{field}">{message}' in content
    assert references(content) == []


@pytest.mark.parametrize(
    "query", ["locality=%00", "search=Oka%00for", "lead_professional=1%00", "locality=%C2%B2", "status=%C2%B2"]
)
def test_a_null_byte_or_a_digit_of_another_script_is_never_a_server_error(world, client_for, families, query):
    response = client_for(world.team_manager).get(f"{LIST}?{query}")

    assert response.status_code == 400


# --- Queries -------------------------------------------------------------------------------------------


def count_queries(client, params) -> int:
    client.get(LIST, params)  # the session is touched now and then: not this page's queries
    with CaptureQueriesContext(connection) as context:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "params",
    [{}, {"search": "Okafor", "sort": "due"}, {"sort": "family"}, {"lead_professional": "lead", "mine": "1"}],
)
def test_the_list_takes_the_same_queries_for_one_case_or_a_page(
    world, client_for, django_assert_max_num_queries, params
):
    client = client_for(world.lead)
    if "lead_professional" in params:
        params = {**params, "lead_professional": world.lead.pk}

    def a_case() -> None:
        case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
        name_family(case, "Okafor", "Amara")
        due(case, 3)

    a_case()
    one = count_queries(client, params)
    for _ in range(25):
        a_case()

    client.get(LIST, params)
    with django_assert_max_num_queries(one):
        response = client.get(LIST, params)

    assert len(references(response.content.decode())) == 25
    assert one <= 12
