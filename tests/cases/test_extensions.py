"""The shared record's extension points: apps add menu items, home panels, case sections and case
actions by registering them, and `cases` imports no workflow app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.context_processors import _nav_items
from cases.extensions import CaseAction, CaseSection, HomePanel, MenuItem, Registry, registry
from cases.roles import Role
from front_door import services
from front_door.models import Channel
from front_door.services import PersonData
from tests.conftest import open_case

WORKFLOW_APPS = ("front_door", "panels", "assessments", "outcomes")


def test_the_shared_record_imports_no_workflow_app():
    imported = set()
    for source in Path(settings.BASE_DIR, "cases").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((source.name, node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                imported |= {(source.name, alias.name.split(".")[0]) for alias in node.names}

    assert sorted(pair for pair in imported if pair[1] in WORKFLOW_APPS) == []


def test_parts_are_kept_in_order_and_registering_again_replaces():
    parts = Registry()
    late = MenuItem("Late", "late", order=50)
    early = MenuItem("Early", "early", order=10)

    parts.add(late, early, MenuItem("Late again", "late", order=50))

    assert [item.label for item in parts.menu_items] == ["Early", "Late again"]


def test_a_menu_item_is_shown_by_role_and_agency():
    item = MenuItem("Make a referral", "x", roles=frozenset({Role.REFERRER}), needs_agency=True)

    assert item.shown(frozenset({Role.REFERRER}), has_agency=True)
    assert not item.shown(frozenset({Role.REFERRER}), has_agency=False)
    assert not item.shown(frozenset({Role.ANALYST}), has_agency=True)


MENUS = [
    ("analyst", ["Home", "Claims", "Dashboard", "Figures", "Exports"]),
    ("administrator", ["Home", "Access log", "Subject access requests"]),
    ("superuser", ["Home"]),
    ("school_practitioner", ["Home", "Cases", "My referrals", "Information requests", "Make a referral"]),
]


@pytest.mark.parametrize(("who", "labels"), MENUS)
def test_each_role_is_offered_only_its_own_work(world, client_for, who, labels):
    response = client_for(getattr(world, who)).get("/")

    assert [item["label"] for item in response.context["nav_items"]] == labels


def test_a_duty_managers_menu_has_the_front_doors_own_items(world):
    labels = [label for label, _url in _nav_items(frozenset({Role.DUTY_MANAGER}), True, "/")]

    assert labels == [
        *("Home", "Cases", "Front door", "My referrals", "Information requests", "Make a referral"),
        *("Record a contact", "People"),
    ]


@pytest.fixture
def extra_parts():
    """A workflow app's parts, registered as its AppConfig.ready would, and taken away afterwards."""
    added = [
        CaseSection(
            key="test-plan",
            template="tests/section.html",
            context=lambda request, case: {"text": f"Plan for {case.reference}"},
            order=50,
        ),
        CaseSection(key="test-hidden", template="tests/section.html", context=lambda request, case: None),
        CaseAction(
            key="test-action",
            label="Send back to panel",
            url=lambda case: f"/somewhere/{case.pk}/",
            allowed=lambda user, case: user.has_role(Role.TEAM_MANAGER),
        ),
        HomePanel(
            key="test-panel",
            roles=frozenset({Role.LEAD_PROFESSIONAL}),
            template="tests/section.html",
            context=lambda request: {"text": "Reviews due this week"},
        ),
    ]
    before = (list(registry.case_sections), list(registry.case_actions), list(registry.home_panels))
    registry.add(*added)
    yield added
    registry.case_sections[:], registry.case_actions[:], registry.home_panels[:] = before


@pytest.fixture
def section_template(settings, tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "section.html").write_text("<p class='govuk-body'>{{ section.text }}{{ panel.text }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]


def test_a_registered_section_and_action_appear_on_the_case_page(world, client_for, extra_parts, section_template):
    case = open_case(world)

    manager_page = client_for(world.team_manager).get(f"/cases/{case.pk}/").content.decode()
    lead_page = client_for(world.lead).get(f"/cases/{case.pk}/").content.decode()

    assert f"Plan for {case.reference}" in manager_page
    assert "Send back to panel" in manager_page and f"/somewhere/{case.pk}/" in manager_page
    assert "Send back to panel" not in lead_page
    # Registered after the team and before the chronology, as its order says.
    assert (
        manager_page.index("Team around the family") < manager_page.index("Plan for") < manager_page.index("Chronology")
    )


def test_a_registered_home_panel_appears_for_its_roles(world, client_for, extra_parts, section_template):
    assert "Reviews due this week" in client_for(world.lead).get("/").content.decode()
    assert "Reviews due this week" not in client_for(world.team_manager).get("/").content.decode()


def test_the_duty_managers_home_page_shows_the_queue_in_numbers(world, client_for, submit_referral_for_home):
    submit_referral_for_home()

    page = client_for(world.duty_manager).get("/").content.decode()

    assert "The front door queue" in page
    assert 'Waiting for a decision</dt><dd class="govuk-summary-list__value">1</dd>' in page


@pytest.fixture
def submit_referral_for_home(world):
    def make():
        return services.referral_receive(
            channel=Channel.PRACTITIONER,
            actor=world.school_practitioner,
            people=[PersonData(kind="child", first_name="Amara", last_name="Okafor")],
            concerns="Missed school.",
            consent_given=True,
            level_of_need=world.level3,
            address_line_1="1 Mill Lane",
            town="Exton",
            postcode="EX1 1AB",
        )

    return make


@pytest.mark.parametrize("who", ["duty_manager", "lead", "team_manager", "panel_coordinator", "analyst", "duty_lead"])
def test_home_pages_take_the_same_queries_however_much_there_is(world, client_for, who):
    client = client_for(getattr(world, who))
    client.get("/")
    with CaptureQueriesContext(connection) as quiet:
        client.get("/")
    for _ in range(3):
        open_case(world, members=[(world.school_practitioner, "School")])
    with CaptureQueriesContext(connection) as busy:
        client.get("/")

    assert len(busy) == len(quiet) <= 12
