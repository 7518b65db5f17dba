"""The panel's parts of the shared pages: the "Panels" menu item, the home page's sections for
coordinators, standing members and team managers, and the case page's "Early Help Panel" section."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services as case_services
from cases.deadlines import deadline_start
from cases.models import Deadline, Destination, PanelRoute
from cases.roles import Role
from front_door import services as front_door_services
from front_door.models import Channel, DecisionOutcome
from front_door.services import PersonData
from panels import services
from panels.models import PanelOutcome
from panels.words import day_words, time_words, when_words
from tests.conftest import open_case
from tests.panels.conftest import waiting_case


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return len([q for q in captured.captured_queries if not q["sql"].startswith(control)])


def test_times_and_dates_in_words():
    assert [time_words(datetime.time(*t)) for t in [(10, 0), (14, 30), (12, 0), (0, 0), (9, 5)]] == [
        "10am",
        "2:30pm",
        "midday",
        "midnight",
        "9:05am",
    ]
    moment = timezone.make_aware(datetime.datetime(2026, 12, 8, 10, 0))
    assert when_words(moment) == "Tuesday 8 December 2026 at 10am"
    assert day_words(moment) == "8 December 2026"


def test_the_menu_offers_panels_to_coordinators_only(world, client_for):
    coordinator_menu = [item["label"] for item in client_for(world.panel_coordinator).get("/").context["nav_items"]]
    lead_menu = [item["label"] for item in client_for(world.lead).get("/").context["nav_items"]]

    assert "Panels" in coordinator_menu
    assert "Panels" not in lead_menu


# --- The home page ------------------------------------------------------------------------------------


def test_a_coordinator_sees_what_waits_for_each_panel_they_run(world, panel, upcoming, client_for):
    late = waiting_case(world)
    deadline_start(
        timescale_code="front-door-to-offer",
        subject_type="case",
        subject_id=late.pk,
        case=late,
        reference=late.reference,
        started_at=timezone.now() - datetime.timedelta(days=15),
        remind_role=Role.PANEL_COORDINATOR,
    )
    waiting_case(world)

    response = client_for(world.panel_coordinator).get("/")

    page, markup = text(response), response.content.decode()
    assert "Waiting for the panel" in page
    assert "North Early Help Panel" in page
    assert re.search(r"North Early Help Panel.*?>\s*2\s*<.*?govuk-tag--red\">1<", markup, re.S)
    assert f'href="/panels/meetings/{upcoming[0].pk}/"' in markup and when_words(upcoming[0].starts_at) in page
    assert f'href="/panels/{panel.pk}/waiting-list/"' in markup


def test_a_standing_member_sees_their_next_panel_meeting(world, panel, upcoming, client_for):
    services.agenda_add(actor=world.panel_coordinator, meeting=upcoming[0], case=waiting_case(world))
    client = client_for(world.school_practitioner)

    before = text(client.get("/"))
    services.agenda_send(actor=world.panel_coordinator, meeting=upcoming[0])
    after = text(client.get("/"))

    assert "Your panel meetings" in before and when_words(upcoming[0].starts_at) in before
    assert "Agenda not sent yet" in before
    assert "Agenda sent" in after and "Agenda not sent yet" not in after
    assert "Your panel meetings" not in text(client_for(world.lead).get("/"))


def test_a_team_manager_sees_the_cases_the_panel_allocated_awaiting_a_lead_professional(
    world, panel, meeting_now, client_for
):
    item = services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=waiting_case(world))
    decision = services.decision_record(
        actor=world.panel_coordinator,
        item=item,
        outcome=PanelOutcome.ALLOCATE,
        lead_agency=world.council,
        team=world.team,
        threshold_confirmed=True,
        reason="Level 3 confirmed.",
    )
    late_item = services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=waiting_case(world))
    services.decision_record(
        actor=world.panel_coordinator,
        item=late_item,
        outcome=PanelOutcome.ALLOCATE,
        lead_agency=world.council,
        team=world.team,
        threshold_confirmed=True,
        reason="Level 3 confirmed.",
    )
    Deadline.objects.filter(case=late_item.case, timescale__code="lead-professional").update(
        remind_at=timezone.now() - datetime.timedelta(days=3), due_at=timezone.now() - datetime.timedelta(days=1)
    )

    response = client_for(world.team_manager).get("/")

    page, markup = text(response), response.content.decode()
    assert "Allocated by the panel" in page
    assert f'href="/cases/{item.case_id}/"' in markup and f'href="/cases/{late_item.case_id}/"' in markup
    due = (decision.decided_at + datetime.timedelta(weeks=1)).astimezone(timezone.get_current_timezone())
    assert f"{due.day} {due:%B %Y}" in page
    assert page.index(late_item.case.reference) < page.index(item.case.reference)
    assert page.count("Overdue") == 1
    assert item.case.reference not in text(client_for(world.other_manager).get("/"))


@pytest.mark.parametrize("who", ["panel_coordinator", "team_manager", "school_practitioner", "county_coordinator"])
def test_home_pages_take_the_same_queries_however_much_the_panel_has(world, panel, meeting_now, client_for, who):
    client = client_for(getattr(world, who))
    client.get("/")  # the process's first request fills its caches (content types, permissions)
    quiet = count_queries(client, "/")
    for _ in range(3):
        item = services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=waiting_case(world))
        services.decision_record(
            actor=world.panel_coordinator,
            item=item,
            outcome=PanelOutcome.ALLOCATE,
            lead_agency=world.council,
            team=world.team,
            threshold_confirmed=True,
            reason="Level 3 confirmed.",
        )
        waiting_case(world)

    assert count_queries(client, "/") == quiet


# --- The case page ------------------------------------------------------------------------------------


@pytest.fixture
def referred_case(world):
    """A case the front door sent to the panel from a school's referral."""
    referral = front_door_services.referral_receive(
        channel=Channel.PRACTITIONER,
        actor=world.school_practitioner,
        people=[
            PersonData(kind="child", first_name="Amara", last_name="Okafor", date_of_birth=datetime.date(2016, 5, 17))
        ],
        concerns="Missed school.",
        consent_given=True,
        level_of_need=world.level3,
        address_line_1="1 Mill Lane",
        town="Exton",
        postcode="EX1 1AB",
    )
    front_door_services.referral_decide(
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.EARLY_HELP,
        destination=Destination.objects.get(code="early-help-panel"),
        level_of_need=world.level3,
        reason="Level 3: complex needs.",
        confirm_new_people=True,
    )
    referral.refresh_from_db()
    case = referral.case
    if case.locality_id != world.north.pk:
        case.family.locality = world.north
        case.family.save(update_fields=["locality"])
        type(case).objects.filter(pk=case.pk).update(locality=world.north)
        case.refresh_from_db()
    return case


def test_a_case_waiting_for_the_panel_says_so_and_who_supports_the_family_meanwhile(
    world, panel, upcoming, referred_case, client_for
):
    case = referred_case
    services.agenda_add(actor=world.panel_coordinator, meeting=upcoming[0], case=case)

    response = client_for(world.panel_coordinator).get(f"/cases/{case.pk}/")

    page, markup = text(response), response.content.decode()
    assert "Early Help Panel" in page
    assert f"Waiting for the panel since {day_words(case.panel_waiting_since)}" in page
    assert "Front door decision to the panel" in page
    assert f"North Early Help Panel, {when_words(upcoming[0].starts_at)}" in page
    assert f'href="/panels/meetings/{upcoming[0].pk}/"' in markup
    assert "Until a lead professional is assigned, the referrer (Hill School) continues to support the family." in page
    assert f'href="/cases/{case.pk}/partner-requests/new/"' in markup
    assert "Not yet decided" in page


def test_a_return_shows_its_note_and_the_history_at_the_panel_with_amendments(world, panel, meeting_now, client_for):
    case = waiting_case(world)
    item = services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=case)
    first = services.decision_record(
        actor=world.panel_coordinator,
        item=item,
        outcome=PanelOutcome.ALLOCATE,
        lead_agency=world.council,
        threshold_confirmed=True,
        reason="Level 3 confirmed: housing.",
    )
    services.decision_amend(
        actor=world.panel_coordinator,
        decision=first,
        amendment_reason="The team was left out.",
        lead_agency=world.council,
        team=world.team,
    )

    coordinator_page = text(client_for(world.panel_coordinator).get(f"/cases/{case.pk}/"))

    assert "The case at the panel, newest first" in coordinator_page
    assert day_words(meeting_now.starts_at) in coordinator_page and "North Early Help Panel" in coordinator_page
    assert "Lead agency Council Family Support" in coordinator_page
    assert "Lead agency Council Family Support (North Family Support)" in coordinator_page
    assert "Amended on" in coordinator_page and "Why: The team was left out." in coordinator_page
    assert "Level 3 confirmed: housing." in coordinator_page
    assert world.panel_coordinator.get_full_name() in coordinator_page
    assert "Until a lead professional is assigned, the agencies that already know the family" in coordinator_page


def test_a_returned_case_shows_the_note(world, panel, client_for):
    case = open_case(world)
    case_services.case_return_to_panel(actor=world.lead, case=case, route=PanelRoute.REFUSED, note="Door not answered.")

    page = text(client_for(world.panel_coordinator).get(f"/cases/{case.pk}/"))

    assert "Returned: the family refused to engage Door not answered." in page
    assert "Not yet on an agenda" in page


def test_the_closure_notice_shows_once_the_coordinators_were_told(world, panel, meeting_now, client_for):
    case = waiting_case(world)
    item = services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=case)
    services.decision_record(
        actor=world.panel_coordinator,
        item=item,
        outcome=PanelOutcome.ALLOCATE,
        lead_agency=world.council,
        team=world.team,
        threshold_confirmed=True,
        reason="Level 3 confirmed.",
    )
    case_services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.lead)
    case_services.case_request_closure(
        actor=world.team_manager, case=case, reason=world.outcomes_met, summary="Goals met."
    )
    case_services.case_sign_off_closure(actor=world.team_manager, case=case)

    page = text(client_for(world.team_manager).get(f"/cases/{case.pk}/"))

    assert "The North Early Help Panel's coordinators were told on" in page
    assert f"that the case closed: {world.outcomes_met.name}." in page
    assert "Until a lead professional is assigned" not in page


def test_a_case_that_never_came_to_the_panel_has_no_panel_section(world, client_for):
    case = open_case(world)

    assert 'id="early-help-panel"' not in client_for(world.lead).get(f"/cases/{case.pk}/").content.decode()


def panel_section(response) -> str:
    markup = response.content.decode()
    start = markup.index('id="early-help-panel"')
    return markup[start : markup.index("<h2", start)]


def test_only_the_cases_coordinators_are_offered_to_ask_partners_here(world, panel, client_for):
    case = waiting_case(world)
    ask = f'href="/cases/{case.pk}/partner-requests/new/"'

    assert ask in panel_section(client_for(world.panel_coordinator).get(f"/cases/{case.pk}/"))
    assert ask in panel_section(client_for(world.county_coordinator).get(f"/cases/{case.pk}/"))
    assert ask not in panel_section(client_for(world.duty_manager).get(f"/cases/{case.pk}/"))


def test_the_case_page_takes_the_same_queries_whatever_the_case_did_at_the_panel(
    world, panel, meeting_now, referred_case, client_for
):
    never = waiting_case(world)
    busy = referred_case  # a practitioner's referral: the referrer's agency is named
    item = services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=busy)
    deferral = services.decision_record(
        actor=world.panel_coordinator, item=item, outcome=PanelOutcome.DEFER, reason="Ask the school first."
    )
    services.decision_amend(
        actor=world.panel_coordinator, decision=deferral, amendment_reason="Health too.", reason="Ask both."
    )
    client = client_for(world.panel_coordinator)
    client.get(f"/cases/{never.pk}/")  # the process's first page looks up the permissions' ids once

    quiet = count_queries(client, f"/cases/{never.pk}/")
    response = client.get(f"/cases/{busy.pk}/")
    busy_count = count_queries(client, f"/cases/{busy.pk}/")

    page = text(response)
    assert "Deferred to the next meeting" in page and "Why: Health too." in page
    assert "Not yet decided" in page  # the deferral put it on the next meeting's agenda
    assert "the referrer (Hill School)" in page
    assert busy_count == quiet and busy_count <= 12
