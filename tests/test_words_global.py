"""GOV.UK style in the shared parts: times as "3:17pm", no codes shown to people, long lists that
start "Select a team" and offer only what can be chosen, and confirmations that say what happened."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from cases.models import AccessLog, Case, CaseStatus
from cases.roles import Role
from tests.conftest import open_case
from tests.factories import PersonFactory, TeamFactory, UserFactory

AFTERNOON = datetime.datetime(2026, 3, 2, 15, 17, tzinfo=ZoneInfo("Europe/London"))
MORNING = datetime.datetime(2026, 3, 2, 9, 5, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{{ at|date:"j M Y, g:ia" }}', "2 Mar 2026, 3:17pm"),
        ('{{ at|date:"g:ia" }}', "3:17pm"),
        ("{{ at|time }}", "3:17pm"),
        ("{{ at }}", "2 March 2026, 3:17pm"),
        ("{{ at|date }}", "2 March 2026"),
        ('{{ at|date:"DATETIME_FORMAT" }}', "2 March 2026, 3:17pm"),
        ('{{ at|date:"SHORT_DATETIME_FORMAT" }}', "2 Mar 2026, 3:17pm"),
        ('{{ morning|date:"g:ia" }}', "9:05am"),
    ],
)
def test_times_are_written_the_gov_uk_way(template, expected):
    rendered = Template(template).render(Context({"at": AFTERNOON, "morning": MORNING}))

    assert rendered == expected
    assert "p.m." not in rendered and "a.m." not in rendered


def test_the_access_log_gives_times_and_records_in_words(world, client_for):
    child = PersonFactory()
    for record_type in ("referrer_letter", "information_request", "person"):
        AccessLog.objects.create(
            at=AFTERNOON, user=world.duty_manager, action="view", record_type=record_type, record_id=1, person=child
        )
    AccessLog.objects.create(
        at=MORNING, user=world.school_practitioner, action="denied", record_type="referral", record_id=2, person=child
    )

    content = client_for(world.administrator).get(f"/cases/access-log/?person={child.pk}").content.decode()

    assert content.count("2 Mar 2026, 3:17pm") == 3 and "2 Mar 2026, 9:05am" in content
    assert "15:17:00" not in content
    assert "Viewed the letter to the referrer" in content
    assert "Viewed the request for partners&#x27; information" in content
    assert "Viewed the person&#x27;s record" in content
    assert "Refused access to the referral" in content
    assert not re.search(r"referrer_letter|information_request", content)


def test_the_allocation_offers_only_teams_that_can_take_a_case_after_select_a_team(world, client_for):
    case = open_case(world, status="awaiting_allocation")
    # A team with no manager, like the front door's own, cannot take a case: no one would assign it.
    TeamFactory(name="Front Door", agency=world.council, locality=world.north)

    html = client_for(world.panel_coordinator).get(f"/cases/{case.pk}/allocate/").content.decode()

    teams = re.search(r'<select name="team".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", teams)
    assert options[0] == "Select a team"
    assert "North Family Support, Council Family Support" in options
    assert not [o for o in options if "Panel" in o or "Front Door" in o]
    agencies = re.search(r'<select name="lead_agency".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", agencies)[0] == "Select an agency"
    assert "---------" not in html


def test_a_team_of_the_panel_is_refused_if_posted_anyway(world, client_for):
    case = open_case(world, status="awaiting_allocation")
    panel_team = world.panel_coordinator.team

    response = client_for(world.panel_coordinator).post(
        f"/cases/{case.pk}/allocate/", {"lead_agency": str(world.council.pk), "team": str(panel_team.pk)}
    )

    assert response.status_code == 200
    assert "Choose a team of the lead agency" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_ALLOCATION


def test_a_team_gains_its_place_in_the_list_with_a_team_manager(world, client_for):
    case = open_case(world, status="awaiting_allocation")
    client = client_for(world.panel_coordinator)

    before = client.get(f"/cases/{case.pk}/allocate/").content.decode()
    UserFactory(agency=world.council, team=world.other_team, roles=[Role.TEAM_MANAGER])
    after = client.get(f"/cases/{case.pk}/allocate/").content.decode()

    assert "South Family Support" not in before
    assert "South Family Support" in after


def test_the_practitioner_and_lead_professional_lists_start_with_select(world, client_for):
    case = open_case(world, status="awaiting_lead_professional")
    manager = client_for(world.team_manager)

    member_page = manager.get(f"/cases/{case.pk}/team/add/").content.decode()
    lead_page = manager.get(f"/cases/{case.pk}/assign_lead_professional/").content.decode()

    assert re.search(r'<select name="user"[^>]*>\s*<option value=""[^>]*>Select a practitioner</option>', member_page)
    assert re.search(
        r'<select name="lead_professional"[^>]*>\s*<option value=""[^>]*>Select a lead professional</option>',
        lead_page,
    )
    assert "---------" not in member_page + lead_page


def test_a_confirmation_says_what_happened(world, client_for):
    case = open_case(world, status="awaiting_allocation")
    client = client_for(world.panel_coordinator)

    response = client.post(
        f"/cases/{case.pk}/allocate/", {"lead_agency": str(world.council.pk), "team": str(world.team.pk)}, follow=True
    )

    content = response.content.decode()
    assert '<p class="govuk-notification-banner__heading">Lead agency allocated</p>' in content
    assert ": done" not in content
