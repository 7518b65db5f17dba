"""What a busy duty manager needs from the queue and their home page: the queue's parts in numbers,
each a link to the queue showing just those; "partners answered" once every partner asked has;
the children's full names and the family's surname; search by name and reference; sort by when the
decision is due; filters that are not among the choices get a message (400), never a 500; and the
same number of queries however long the queue."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import LevelOfNeed, Timescale
from front_door import services
from front_door.models import DecisionOutcome, InformationRequest, Referral
from front_door.selectors import referral_queue
from front_door.services import PersonData

QUEUE = "/front-door/"


def references(content: str) -> list[str]:
    """The referral references the queue's table links to, in order."""
    return re.findall(r'href="/front-door/referrals/\d+/">(EH-[0-9-]+)</a>', content)


def ask_partners(world, referral) -> list[InformationRequest]:
    services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.MORE_INFORMATION,
        level_of_need=world.level3,
        reason="Partners may know more.",
        information_requests=[(world.health, "Is the family known to you?"), (world.school, "Attendance?")],
    )
    return list(InformationRequest.objects.filter(referral=referral).order_by("agency__name"))


def due_in(referral, delta: datetime.timedelta) -> None:
    Referral.objects.filter(pk=referral.pk).update(decision_due_at=timezone.now() + delta)


@pytest.fixture
def queue_in_every_state(world, submit_referral):
    """One referral in each part of the queue: new, due within 4 hours, overdue, waiting for the
    partners asked, and with every partner's answer in; and one new referral a duty manager claimed
    (so not new)."""

    def child(first: str, last: str) -> list[PersonData]:
        return [PersonData(kind="child", first_name=first, last_name=last, date_of_birth=datetime.date(2015, 3, 1))]

    new = submit_referral(people=child("Amara", "Okafor"))
    claimed = submit_referral(people=child("Jonah", "Price"))
    services.referral_claim(actor=world.duty_manager, referral=claimed)
    due_soon = submit_referral(people=child("Lena", "Novak"))
    due_in(due_soon, datetime.timedelta(hours=2))
    overdue = submit_referral(people=child("Theo", "Marsh"))
    due_in(overdue, -datetime.timedelta(hours=1))
    waiting = submit_referral(people=child("Isla", "Reyes"))
    first_answer, _ = ask_partners(world, waiting)
    services.information_request_answer(actor=world.health_practitioner, request=first_answer, answer="Not known.")
    answered = submit_referral(people=child("Kofi", "Mensah"))
    for request, actor in zip(
        ask_partners(world, answered), [world.health_practitioner, world.school_practitioner], strict=True
    ):
        services.information_request_answer(actor=actor, request=request, answer="Known to us since 2024.")
    return {
        "new": new,
        "claimed": claimed,
        "due-soon": due_soon,
        "overdue": overdue,
        "waiting-for-partners": waiting,
        "partners-answered": answered,
    }


# --- Partners answered -------------------------------------------------------------------------------


def test_the_queue_says_partners_answered_once_every_partner_asked_has(world, client_for, submit_referral):
    referral = submit_referral()
    health, school = ask_partners(world, referral)
    client = client_for(world.duty_manager)

    def clock() -> str:
        content = client.get(QUEUE).content.decode()
        row = content[content.index(f">{referral.reference}</a>") :]
        return row[: row.index("</tr>")]

    before = clock()
    services.information_request_answer(actor=world.health_practitioner, request=health, answer="Not known.")
    one_answered = clock()
    services.information_request_answer(actor=world.school_practitioner, request=school, answer="Attends well.")
    all_answered = clock()

    assert "Waiting for partner agencies" in before and "Partners answered" not in before
    assert "Waiting for partner agencies" in one_answered and "Partners answered" not in one_answered
    assert '<strong class="govuk-tag govuk-tag--green">Partners answered</strong>' in all_answered
    assert "Waiting for partner agencies" not in all_answered


# --- Names -------------------------------------------------------------------------------------------


def test_the_queue_shows_the_childrens_full_names_and_the_familys_surname(world, client_for, submit_referral):
    submit_referral(
        people=[
            PersonData(kind="child", first_name="Amara", last_name="Okafor", date_of_birth=datetime.date(2016, 5, 17)),
            PersonData(kind="child", first_name="Tobi", last_name="Okafor", date_of_birth=datetime.date(2019, 1, 2)),
            PersonData(kind="adult", first_name="Grace", last_name="Bell", relationship="Mother"),
        ]
    )

    content = client_for(world.duty_manager).get(QUEUE).content.decode()

    assert '<th scope="col" class="govuk-table__header">Family</th>' in content
    assert '<td class="govuk-table__cell">Okafor, Bell</td>' in content
    assert re.search(r"Amara Okafor \(\d+\)<br>Tobi Okafor \(\d+\)", content)


# --- The home page's counts, each a link to the queue showing them -------------------------------------


def test_the_home_page_counts_each_part_of_the_queue_and_links_to_it(world, client_for, queue_in_every_state):
    client = client_for(world.duty_manager)

    home = client.get("/").content.decode()

    for show, label in [
        ("new", "New (not yet claimed)"),
        ("due-soon", "Due within 4 hours"),
        ("overdue", "Overdue"),
        ("partners-answered", "Partners answered"),
        ("waiting-for-partners", "Waiting for partner agencies"),
    ]:
        link = re.search(
            rf'<dt class="govuk-summary-list__key">{re.escape(label)}</dt><dd class="govuk-summary-list__value">'
            rf'<a class="govuk-link" href="(/front-door/\?show={show})">(?:<strong[^>]*>)?(\d+)',
            home,
        )
        assert link, f"no link for {label}"
        shown = client.get(link.group(1))
        assert shown.status_code == 200
        assert int(link.group(2)) == 1
        assert references(shown.content.decode()) == [queue_in_every_state[show].reference], show


def test_the_counts_follow_the_configured_reminder_window(world, client_for, submit_referral):
    Timescale.objects.filter(code="front-door-decision").update(reminder_before_hours=6)
    referral = submit_referral()
    due_in(referral, datetime.timedelta(hours=5))

    home = client_for(world.duty_manager).get("/").content.decode()
    queue = client_for(world.duty_manager).get(QUEUE, {"show": "due-soon"}).content.decode()

    assert "Due within 6 hours" in home
    assert references(queue) == [referral.reference]
    assert '<option value="due-soon" selected>Due within 6 hours</option>' in queue


def test_the_older_overdue_link_still_shows_overdue_referrals(world, client_for, queue_in_every_state):
    content = client_for(world.duty_manager).get(QUEUE, {"overdue": "1"}).content.decode()

    assert references(content) == [queue_in_every_state["overdue"].reference]


# --- Search and sort ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("Okafor", ["new"]),
        ("okaf", ["new"]),
        ("Amara Okafor", ["new"]),
        ("amara  OKAFOR ", ["new"]),
        ("Amara Price", []),
        ("Kofi", ["partners-answered"]),
        ("Zebedee", []),
    ],
)
def test_the_queue_is_searched_by_name(world, client_for, queue_in_every_state, search, found):
    response = client_for(world.duty_manager).get(QUEUE, {"search": search})

    assert response.status_code == 200
    assert references(response.content.decode()) == [queue_in_every_state[key].reference for key in found]
    assert f'value="{search}"' in response.content.decode()  # what was typed stays in the box


def test_the_queue_is_searched_by_reference_in_any_case(world, client_for, queue_in_every_state):
    overdue = queue_in_every_state["overdue"]

    exact = client_for(world.duty_manager).get(QUEUE, {"search": overdue.reference}).content.decode()
    lower = client_for(world.duty_manager).get(QUEUE, {"search": f" {overdue.reference.lower()} "}).content.decode()

    assert references(exact) == [overdue.reference]
    assert references(lower) == [overdue.reference]


def test_the_search_is_combined_with_the_filters(world, client_for, submit_referral):
    level2 = LevelOfNeed.objects.get(code="level-2")
    first = submit_referral()
    submit_referral(referrer=world.health_practitioner, level_of_need=level2)

    content = client_for(world.duty_manager).get(QUEUE, {"search": "Okafor", "level": level2.pk}).content.decode()

    assert first.reference not in content
    assert len(references(content)) == 1


def test_the_queue_is_sorted_by_when_the_decision_is_due(world, client_for, queue_in_every_state):
    client = client_for(world.duty_manager)
    s = queue_in_every_state

    by_received = references(client.get(QUEUE).content.decode())
    by_due = client.get(QUEUE, {"sort": "due"}).content.decode()

    assert by_received == [s[k].reference for k in ("new", "claimed", "due-soon", "overdue")] + [
        s["waiting-for-partners"].reference,
        s["partners-answered"].reference,
    ]
    # Running clocks soonest first, then those waiting on partners (their clock was met).
    assert references(by_due) == [s[k].reference for k in ("overdue", "due-soon", "new", "claimed")] + [
        s["waiting-for-partners"].reference,
        s["partners-answered"].reference,
    ]
    assert '<option value="due" selected>Decision due (soonest first)</option>' in by_due


def test_paging_keeps_the_search_filters_and_sort(world, client_for, submit_referral):
    for n in range(27):
        submit_referral(people=[PersonData(kind="child", first_name=f"Child{n}", last_name="Okafor")])

    content = client_for(world.duty_manager).get(QUEUE, {"search": "Okafor", "sort": "due"}).content.decode()

    assert len(references(content)) == 25
    assert 'href="?search=Okafor&amp;sort=due&page=2"' in content


# --- Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"locality": "\u00b2"}, "locality", "Select a locality from the list"),
        ({"locality": "\u0661"}, "locality", "Select a locality from the list"),
        ({"locality": "99999999999999999999999"}, "locality", "Select a locality from the list"),
        ({"level": "\u00b2"}, "level", "Select a level of need from the list"),
        ({"level": "-1"}, "level", "Select a level of need from the list"),
        ({"channel": "fax"}, "channel", "Select how it was received from the list"),
        ({"show": "everything"}, "show", "Select which referrals to show from the list"),
        ({"sort": "name"}, "sort", "Select an order from the list"),
        ({"search": "Oka\x07for"}, "search", "Name or reference must only include letters, numbers"),
        ({"search": "x" * 101}, "search", "Name or reference must be 100 characters or fewer"),
    ],
)
def test_filters_that_are_not_among_the_choices_get_a_message_not_a_500(
    world, client_for, submit_referral, params, field, message
):
    submit_referral()

    response = client_for(world.duty_manager).get(QUEUE, params)

    content = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Front door" in content
    assert f'<a href="#{field}">{message}' in content
    assert f'id="{field}-error"' in content
    assert references(content) == []


@pytest.mark.parametrize("query", ["locality=%00", "level=1%00", "search=Oka%00for", "level=%C2%B2", "locality=%C2%B2"])
def test_a_null_byte_or_a_digit_of_another_script_is_never_a_server_error(world, client_for, submit_referral, query):
    submit_referral()

    response = client_for(world.duty_manager).get(f"{QUEUE}?{query}")

    assert response.status_code == 400


def test_a_locality_or_level_from_the_list_still_filters(world, client_for, submit_referral):
    level2 = LevelOfNeed.objects.get(code="level-2")
    north = submit_referral()
    south = submit_referral(referrer=world.health_practitioner, level_of_need=level2)
    client = client_for(world.duty_manager)

    by_locality = client.get(QUEUE, {"locality": world.south.pk})
    by_level = client.get(QUEUE, {"level": level2.pk})

    assert references(by_locality.content.decode()) == [south.reference]
    assert references(by_level.content.decode()) == [south.reference]
    assert f'<option value="{world.south.pk}" selected>South</option>' in by_locality.content.decode()
    assert north.reference not in by_level.content.decode()


# --- Queries -----------------------------------------------------------------------------------------


def count_queries(client, url, params) -> int:
    client.get(url, params)  # the session is touched now and then: not this page's queries
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "params", [{}, {"search": "Okafor", "sort": "due"}, {"show": "partners-answered"}, {"show": "new", "level": "3"}]
)
def test_the_queue_takes_the_same_queries_for_one_row_or_a_page(
    world, client_for, submit_referral, django_assert_max_num_queries, params
):
    client = client_for(world.duty_manager)
    if "level" in params:
        params = {**params, "level": LevelOfNeed.objects.get(code="level-3").pk}

    def shown_referral(n: int) -> None:
        # One the queue shows with these filters, and one it does not.
        referral = submit_referral(people=[PersonData(kind="child", first_name=f"Child{n}", last_name="Okafor")])
        if params.get("show") == "partners-answered":
            for request in ask_partners(world, referral):
                actor = world.health_practitioner if request.agency == world.health else world.school_practitioner
                services.information_request_answer(actor=actor, request=request, answer="Known to us.")
        services.referral_claim(actor=world.duty_manager, referral=submit_referral())

    shown_referral(0)
    one_row = count_queries(client, QUEUE, params)
    for n in range(1, 26):
        shown_referral(n)

    client.get(QUEUE, params)
    with django_assert_max_num_queries(one_row):
        response = client.get(QUEUE, params)

    assert len(references(response.content.decode())) == 25
    assert one_row <= 12


def test_the_home_page_counts_in_one_query_however_long_the_queue(
    world, client_for, queue_in_every_state, submit_referral, django_assert_max_num_queries
):
    client = client_for(world.duty_manager)
    before = count_queries(client, "/", {})
    for n in range(10):
        submit_referral(people=[PersonData(kind="child", first_name=f"Child{n}", last_name="Okafor")])

    client.get("/")
    with django_assert_max_num_queries(before):
        client.get("/")


def test_the_overdue_filter_reads_no_configuration(world, queue_in_every_state, django_assert_num_queries):
    # The API's ?overdue=true and the bench's selector call: the rows and their people, nothing else.
    with django_assert_num_queries(2):
        overdue = list(referral_queue(overdue=True))

    assert [r.reference for r in overdue] == [queue_in_every_state["overdue"].reference]
