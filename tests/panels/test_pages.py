"""The panel's pages: the list of panels, setting one up, a panel's schedule, meetings and members, and
its waiting list."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import PanelRoute
from cases.roles import Role
from front_door import services as front_door_services
from panels import services
from panels.models import AgendaItem, Meeting, MeetingStatus, Panel, PanelMember
from panels.words import day_words, when_words
from tests.factories import TeamFactory, UserFactory, family_with_members
from tests.panels.conftest import offer_clock, waiting_case


def text(response) -> str:
    """The page's words, tags taken out and spaces run together."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def south_coordinator(world):
    team = TeamFactory(name="South Panel", agency=world.council, locality=world.south)
    return UserFactory(username="south-panel", agency=world.council, team=team, roles=[Role.PANEL_COORDINATOR])


# --- The list of panels --------------------------------------------------------------------------------


def test_a_coordinator_sees_each_panel_with_its_schedule_next_meeting_and_cases_waiting(
    world, panel, upcoming, client_for
):
    old = waiting_case(world)
    offer_clock(old, days_ago=12)
    waiting_case(world)
    waiting_case(world, locality=world.south)  # another locality's: not this panel's

    response = client_for(world.panel_coordinator).get("/panels/")

    page = text(response)
    assert response.status_code == 200
    assert "North Early Help Panel" in page and "North" in page
    assert "Every two weeks on Tuesday at 10am" in page
    assert f'href="/panels/meetings/{upcoming[0].pk}/"' in response.content.decode()
    assert when_words(upcoming[0].starts_at) in page
    assert f'href="/panels/{panel.pk}/waiting-list/"' in response.content.decode()
    assert " 2 waiting for the North Early Help Panel" in page
    assert "1 over 10 days" in page
    assert "Set up a panel" in page


def test_a_standing_member_sees_the_panels_they_sit_on_without_the_waiting_list(world, panel, client_for):
    waiting_case(world)

    member_page = text(client_for(world.school_practitioner).get("/panels/"))
    other_page = text(client_for(world.other_lead).get("/panels/"))

    assert "North Early Help Panel" in member_page
    assert "waiting for the" not in member_page and "Set up a panel" not in member_page
    assert "North Early Help Panel" not in other_page
    assert "You are not a standing member of a panel." in other_page


def test_another_localitys_coordinator_does_not_see_the_panel(world, panel, south_coordinator, client_for):
    client = client_for(south_coordinator)

    assert "North Early Help Panel" not in text(client.get("/panels/"))
    assert client.get(f"/panels/{panel.pk}/").status_code == 404
    assert client.get(f"/panels/{panel.pk}/waiting-list/").status_code == 404
    assert client.get(f"/panels/{panel.pk}/members/add/").status_code == 404
    assert client.post(f"/panels/{panel.pk}/members/{world.school_member.pk}/end/").status_code == 404
    assert PanelMember.objects.get(pk=world.school_member.pk).ended_at is None


def test_analysts_and_administrators_have_no_panels(world, client_for):
    assert client_for(world.analyst).get("/panels/").status_code == 403
    assert client_for(world.administrator).get("/panels/").status_code == 403
    assert client_for(world.lead).get("/panels/new/").status_code == 403


def test_the_list_takes_the_same_queries_for_one_panel_or_several(
    world, panel, client_for, django_assert_max_num_queries
):
    client = client_for(world.county_coordinator)
    with django_assert_max_num_queries(20) as one:
        assert client.get("/panels/").status_code == 200
    for locality in ("east", "west", "central"):
        from tests.factories import LocalityFactory

        place = LocalityFactory(code=locality, name=locality.title())
        services.panel_create(
            actor=world.county_coordinator,
            name=f"{place.name} Early Help Panel",
            locality=place,
            first_meeting_on=timezone.localdate(),
            weekday=2,
            meets_at=datetime.time(14, 30),
        )
        waiting_case(world, locality=place)

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/panels/")

    assert "Every two weeks on Wednesday at 2:30pm" in text(response)


# --- Setting up a panel -------------------------------------------------------------------------------


def form_data(**changes):
    today = timezone.localdate() + datetime.timedelta(days=7)
    data = {
        "name": "South Early Help Panel",
        "locality": "",
        "frequency": "weekly",
        "weekday": "3",
        "meets_at": "9:30am",
        "first_meeting_on_0": str(today.day),
        "first_meeting_on_1": str(today.month),
        "first_meeting_on_2": str(today.year),
        "venue": "South Family Hub",
        "chair": "",
    }
    data.update(changes)
    return data


def test_a_county_coordinator_sets_up_a_panel_and_its_meetings_are_scheduled(world, client_for):
    client = client_for(world.county_coordinator)
    form = client.get("/panels/new/").content.decode()
    assert "Select a locality" in form and "The whole county" in form and ">South</option>" in form

    response = client.post(
        "/panels/new/", form_data(locality=str(world.south.pk), chair=str(world.health_practitioner.pk))
    )

    panel = Panel.objects.get(name="South Early Help Panel")
    assert response.status_code == 302 and response["Location"] == f"/panels/{panel.pk}/"
    assert (panel.locality, panel.frequency, panel.weekday) == (world.south, "weekly", 3)
    assert (panel.meets_at, panel.venue, panel.chair) == (
        datetime.time(9, 30),
        "South Family Hub",
        world.health_practitioner,
    )
    assert Meeting.objects.filter(panel=panel, status=MeetingStatus.SCHEDULED).count() == 3
    page = text(client.get(response["Location"]))
    assert "South Early Help Panel set up: its next meetings are scheduled" in page
    assert "Every week on Thursday at 9:30am" in page


def test_the_whole_county_has_a_panel_of_its_own(world, client_for):
    response = client_for(world.county_coordinator).post("/panels/new/", form_data(locality="county", name="County"))

    assert response.status_code == 302
    assert Panel.objects.get(name="County").locality is None


def test_a_local_coordinator_is_offered_only_their_locality(world, client_for):
    client = client_for(world.panel_coordinator)
    form = client.get("/panels/new/").content.decode()

    response = client.post("/panels/new/", form_data(locality=str(world.south.pk)))

    assert ">North</option>" in form and ">South</option>" not in form and "The whole county" not in form
    assert response.status_code == 200
    assert "Select a locality, or the whole county" in text(response)
    assert not Panel.objects.exists()


def test_a_form_with_mistakes_says_what_to_fix_and_keeps_what_was_typed(world, panel, client_for):
    response = client_for(world.panel_coordinator).post(
        "/panels/new/",
        form_data(name="", locality=str(world.north.pk), meets_at="25 o'clock", frequency="", first_meeting_on_0=""),
    )

    page = text(response)
    assert response.status_code == 200
    assert "<title>Error: Set up a panel" in response.content.decode()
    assert "There is a problem" in page
    for message in (
        "Enter the name of the panel",
        "Select how often the panel meets",
        "Enter the time the panel meets, like 10am or 2:30pm",
        "The date of the first meeting must include a day",
    ):
        assert message in page
    assert 'value="25 o&#x27;clock"' in response.content.decode()


def test_a_locality_with_a_panel_gets_no_second(world, panel, client_for):
    response = client_for(world.panel_coordinator).post("/panels/new/", form_data(locality=str(world.north.pk)))

    assert response.status_code == 200
    assert "North already has a panel" in text(response)
    assert Panel.objects.count() == 1


# --- A panel's page -----------------------------------------------------------------------------------


def test_the_panel_page_shows_the_schedule_meetings_and_members(world, panel, upcoming, meeting_now, client_for):
    services.meeting_move(
        actor=world.panel_coordinator,
        meeting=upcoming[1],
        starts_at=upcoming[1].starts_at + datetime.timedelta(days=1),
        reason="The room is booked",
    )
    services.meeting_cancel(actor=world.panel_coordinator, meeting=upcoming[2], reason="Too few cases")
    services.agenda_add(actor=world.panel_coordinator, meeting=upcoming[0], case=waiting_case(world))
    Meeting.objects.filter(pk=meeting_now.pk).update(starts_at=timezone.now() - datetime.timedelta(days=14))

    response = client_for(world.panel_coordinator).get(f"/panels/{panel.pk}/")

    page = text(response)
    assert "Every two weeks on Tuesday at 10am" in page and "North Family Hub" in page
    assert when_words(upcoming[0].starts_at) in page
    assert f"Moved from {when_words(upcoming[1].starts_at)}: The room is booked" in page
    assert "Cancelled Too few cases" in page
    assert "Not sent" in page
    markup = response.content.decode()
    assert f'href="/panels/meetings/{meeting_now.pk}/"' in markup
    assert "Hill School" in page and world.school_practitioner.get_full_name() in page and "Health Visiting" in page
    assert f'action="/panels/{panel.pk}/members/{world.school_member.pk}/end/"' in markup
    assert f'action="/panels/{panel.pk}/members/add/"' in markup and "Select an agency" in markup


def test_members_read_the_panel_page_without_changing_it(world, panel, client_for):
    response = client_for(world.school_practitioner).get(f"/panels/{panel.pk}/")

    markup = response.content.decode()
    assert response.status_code == 200
    assert "Hill School" in markup
    assert "/members/add/" not in markup and "/end/" not in markup and "waiting-list" not in markup
    assert client_for(world.school_practitioner).get(f"/panels/{panel.pk}/waiting-list/").status_code == 404
    assert client_for(world.school_practitioner).get(f"/panels/{panel.pk}/members/add/").status_code == 404


def test_past_meetings_are_paged_newest_first(world, panel, client_for, django_assert_max_num_queries):
    start = timezone.now() - datetime.timedelta(days=400)
    for n in range(12):
        Meeting.objects.create(
            panel=panel,
            slot_on=timezone.localdate(start) + datetime.timedelta(days=7 * n),
            starts_at=start + datetime.timedelta(days=7 * n),
            status=MeetingStatus.HELD,
            held_at=start + datetime.timedelta(days=7 * n),
        )
    client = client_for(world.panel_coordinator)

    with django_assert_max_num_queries(20):
        first = text(client.get(f"/panels/{panel.pk}/"))
    second = text(client.get(f"/panels/{panel.pk}/?page=2"))

    newest, oldest = start + datetime.timedelta(days=77), start
    assert when_words(newest) in first and when_words(oldest) not in first
    assert when_words(oldest) in second and when_words(newest) not in second


def test_a_coordinator_adds_a_standing_member(world, panel, client_for):
    other = UserFactory(agency=world.council, roles=[Role.LEAD_PROFESSIONAL])

    response = client_for(world.panel_coordinator).post(
        f"/panels/{panel.pk}/members/add/", {"agency": world.council.pk, "user": other.pk, "role": "Family support"}
    )

    assert response.status_code == 302 and response["Location"] == f"/panels/{panel.pk}/"
    member = PanelMember.objects.get(panel=panel, user=other)
    assert (member.agency, member.role) == (world.council, "Family support")


def test_an_agency_may_be_a_member_without_naming_who_attends(world, panel, client_for):
    client_for(world.panel_coordinator).post(f"/panels/{panel.pk}/members/add/", {"agency": world.council.pk})

    assert PanelMember.objects.filter(panel=panel, agency=world.council, user=None, ended_at=None).exists()


def test_the_person_must_work_for_the_agency(world, panel, client_for):
    response = client_for(world.panel_coordinator).post(
        f"/panels/{panel.pk}/members/add/", {"agency": world.council.pk, "user": world.health_practitioner.pk}
    )

    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page and "Select a person who works for Council Family Support" in page
    assert not PanelMember.objects.filter(panel=panel, agency=world.council).exists()


def test_an_agency_is_needed(world, panel, client_for):
    response = client_for(world.panel_coordinator).post(f"/panels/{panel.pk}/members/add/", {"role": "Nurse"})

    assert "Select the agency" in text(response)
    assert 'value="Nurse"' in response.content.decode()


def test_a_coordinator_removes_a_member_and_the_record_stays(world, panel, client_for):
    client = client_for(world.panel_coordinator)

    response = client.post(f"/panels/{panel.pk}/members/{world.school_member.pk}/end/")

    assert response.status_code == 302
    world.school_member.refresh_from_db()
    assert world.school_member.ended_at is not None
    page = text(client.get(f"/panels/{panel.pk}/"))
    assert "removed from the panel's standing members" in page
    assert client.get(f"/panels/{panel.pk}/members/{world.health_member.pk}/end/").status_code == 405
    # Once ended, or of another panel: not found.
    assert client.post(f"/panels/{panel.pk}/members/{world.school_member.pk}/end/").status_code == 404


# --- The waiting list ---------------------------------------------------------------------------------


def test_the_waiting_list_shows_what_the_coordinator_needs_to_plan(world, panel, upcoming, client_for):
    w = world
    late = waiting_case(w)
    offer_clock(late, days_ago=12)
    recent = waiting_case(w)
    offer_clock(recent, days_ago=3)
    placed = waiting_case(w)
    services.agenda_add(actor=w.panel_coordinator, meeting=upcoming[1], case=placed)
    front_door_services.case_information_requests_create(
        actor=w.panel_coordinator,
        case=recent,
        agencies=[w.school, w.health],
        question="Do you know the family?",
        due_at=timezone.now() + datetime.timedelta(days=5),
    )
    returned = case_services.case_open(
        actor=w.duty_manager,
        family=family_with_members(locality=w.north),
        level_of_need=w.level3,
        panel_route=PanelRoute.STEPPED_DOWN,
    )

    response = client_for(w.panel_coordinator).get(f"/panels/{panel.pk}/waiting-list/")

    markup, page = response.content.decode(), text(response)
    assert response.status_code == 200
    assert "4 cases waiting" in page
    assert page.index(late.reference) < page.index(recent.reference) < page.index(placed.reference)
    assert late.family.name in page and "Level 3: Complex needs" in page
    assert "Front door decision to the panel" in page and "Stepped down from children's social care" in page
    assert "12 days since the front door received it Over 10 days" in page
    assert "3 days since the front door received it Due in 7 days" in page
    assert "0 days since it came to the panel" in page  # stepped down: not the front door's target
    assert "0 of 2 answered" in page and f'href="/cases/{recent.pk}/#partner-requests"' in markup
    assert f'href="/panels/meetings/{upcoming[1].pk}/">{day_words(upcoming[1].starts_at)}' in markup
    next_date = day_words(upcoming[0].starts_at)
    assert f'action="/panels/meetings/{upcoming[0].pk}/agenda/add/"' in markup
    assert f"Add to the agenda for {next_date}" in page
    assert f'name="case" value="{returned.pk}"' in markup
    assert f'name="case" value="{placed.pk}"' not in markup


def test_the_add_button_puts_the_case_on_the_next_agenda(world, panel, upcoming, client_for):
    case = waiting_case(world)
    client = client_for(world.panel_coordinator)
    markup = client.get(f"/panels/{panel.pk}/waiting-list/").content.decode()
    action = re.search(r'<form method="post" action="([^"]+/agenda/add/)"', markup)[1]

    client.post(action, {"case": case.pk})

    assert AgendaItem.objects.filter(meeting=upcoming[0], case=case).exists()


def test_a_case_sent_back_counts_its_days_back_not_the_front_doors_target(world, panel, client_for):
    from tests.conftest import open_case

    case = open_case(world)
    offer_clock(case, days_ago=40)  # the referral the front door received long ago, its offer made
    case_services.case_return_to_panel(actor=world.lead, case=case, route=PanelRoute.DISENGAGED, note="No answer.")
    client = client_for(world.panel_coordinator)

    page = text(client.get(f"/panels/{panel.pk}/waiting-list/"))
    over = text(client.get(f"/panels/{panel.pk}/waiting-list/?over=1"))
    home = text(client.get("/"))

    assert "0 days since it came back to the panel" in page
    row = page.split(case.reference)[1].split("Add to the agenda")[0]
    assert "Over 10 days" not in row and "Due" not in row
    assert case.reference not in over
    assert f"Waiting list of the {panel.name} 1 0" in home


def test_a_return_shows_the_note_sent_with_it(world, panel, client_for):
    from tests.conftest import open_case

    case = open_case(world)
    case_services.case_return_to_panel(
        actor=world.lead, case=case, route=PanelRoute.STUCK, note="No progress at school."
    )

    page = text(client_for(world.panel_coordinator).get(f"/panels/{panel.pk}/waiting-list/"))

    assert "Returned as stuck No progress at school." in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("over=1", {"late"}),
        ("unplaced=1", {"late", "recent"}),
        ("route=stuck", set()),
        ("route=front_door&unplaced=1&over=1", {"late"}),
    ],
)
def test_the_waiting_list_filters(world, panel, upcoming, client_for, query, shown):
    cases = {"late": waiting_case(world), "recent": waiting_case(world), "placed": waiting_case(world)}
    offer_clock(cases["late"], days_ago=11)
    offer_clock(cases["recent"], days_ago=10)
    services.agenda_add(actor=world.panel_coordinator, meeting=upcoming[0], case=cases["placed"])

    page = text(client_for(world.panel_coordinator).get(f"/panels/{panel.pk}/waiting-list/?{query}"))

    assert {name for name, case in cases.items() if case.reference in page} == shown
    assert "Clear filters" in page


def test_a_filter_not_offered_gets_a_message_and_no_list(world, panel, client_for):
    case = waiting_case(world)

    response = client_for(world.panel_coordinator).get(f"/panels/{panel.pk}/waiting-list/?route=nonsense")

    assert response.status_code == 400
    assert "Select how the case came from the list" in text(response)
    assert case.reference not in text(response)


def test_the_waiting_list_takes_the_same_queries_for_one_case_or_many(
    world, panel, upcoming, client_for, django_assert_max_num_queries
):
    client = client_for(world.county_coordinator)
    first = waiting_case(world)
    offer_clock(first, days_ago=4)
    with django_assert_max_num_queries(20) as one:
        assert client.get(f"/panels/{panel.pk}/waiting-list/").status_code == 200
    for n in range(8):
        case = waiting_case(world)
        offer_clock(case, days_ago=n)
        if n % 2:
            services.agenda_add(actor=world.county_coordinator, meeting=upcoming[n % 3], case=case)

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(f"/panels/{panel.pk}/waiting-list/")

    assert "9 cases waiting" in text(response)


def test_the_county_coordinator_runs_every_panel(world, panel, client_for):
    client = client_for(world.county_coordinator)

    assert client.get(f"/panels/{panel.pk}/waiting-list/").status_code == 200
    assert f'action="/panels/{panel.pk}/members/add/"' in client.get(f"/panels/{panel.pk}/").content.decode()
