"""The benchmark's pages and printed papers, on a small synthetic county: each answers its user, the
Early Help Panel's waiting list, meeting of 20 agenda items and agenda PDF among them, run by the
coordinator of the panel's own locality."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from bench.load import MIX, USERS
from bench.management.commands.generate_dataset import BENCHMARK_AGENDA_ITEMS, benchmark_meeting
from bench.management.commands.run_bench import Command
from cases.models import AccessLog, Locality
from cases.roles import Role
from panels.permissions import AGENDA_RECORD, may_manage_panel


@pytest.fixture
def county(db):
    call_command("generate_dataset", families=600, seed=5)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_page_of_the_benchmark_answers_its_user(county):
    scenarios = Command().scenarios()

    names = [name for name, _, _ in scenarios]
    assert len(names) == len(set(names))
    assert {"panel_waiting_list", "panel_meeting", "home_panel_coordinator"} <= set(names)
    answers = {name: signed_in(user).get(url).status_code for name, user, url in scenarios}
    assert answers == dict.fromkeys(names, 200)


def test_the_panel_pages_are_the_benchmark_meetings_run_by_its_localitys_coordinator(county):
    meeting = benchmark_meeting()
    pages = {name: (user, url) for name, user, url in Command().scenarios()}

    coordinator, waiting_url = pages["panel_waiting_list"]
    assert pages["panel_meeting"] == (coordinator, f"/panels/meetings/{meeting.pk}/")
    assert pages["home_panel_coordinator"][0] == coordinator
    assert waiting_url == f"/panels/{meeting.panel_id}/waiting-list/"
    assert coordinator.username.startswith("bench.panel")
    assert coordinator.has_role(Role.PANEL_COORDINATOR)
    assert coordinator.team.locality == Locality.objects.get(code="bench-0") == meeting.panel.locality
    assert may_manage_panel(coordinator, meeting.panel)


def test_the_meeting_page_shows_its_twenty_items_to_be_decided(county):
    coordinator, url = next((user, url) for name, user, url in Command().scenarios() if name == "panel_meeting")

    response = signed_in(coordinator).get(url)

    assert response.content.decode().count("No decision yet") == BENCHMARK_AGENDA_ITEMS


def test_the_agenda_pdf_prints_the_twenty_items_for_the_coordinator(county):
    meeting = benchmark_meeting()
    (name, coordinator, url), *_others = Command().pdf_scenarios()

    response = signed_in(coordinator).get(url)

    assert (name, url) == ("agenda_pdf", f"/panels/meetings/{meeting.pk}/agenda.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    references = list(meeting.items.values_list("case__reference", flat=True))
    assert len(references) == BENCHMARK_AGENDA_ITEMS
    assert [reference for reference in references if reference not in text] == []
    assert AccessLog.objects.filter(user=coordinator, record_type=AGENDA_RECORD, action=AccessLog.Action.PRINT).exists()


def test_the_load_tests_users_include_panel_coordinators():
    assert sum(MIX.values()) == USERS
    assert MIX["panel"] > 0


def test_the_lead_professionals_pages_and_the_assessment_pdf_are_measured(county):
    """The assessment task list, the plan, a TAF member's actions and the assessment PDF, as their
    users see them on the county's busiest plan."""
    scenarios = {name: (user, url) for name, user, url in Command().scenarios()}
    pdfs = {name: (user, url) for name, user, url in Command().pdf_scenarios()}

    for name in ("assessment_task_list", "family_plan", "your_actions_member", "home_member_with_actions"):
        user, url = scenarios[name]
        assert signed_in(user).get(url).status_code == 200, name
    user, url = pdfs["assessment_pdf"]
    response = signed_in(user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Your actions" in signed_in(scenarios["home_member_with_actions"][0]).get("/").content.decode()


def test_the_case_reports_are_a_report_printed_while_waiting_and_the_largest_made_by_the_task(county):
    """The benchmark's case reports (`pdf_seconds`): a closed case with 200 chronology entries, the
    most a report printed while the manager waits has, and the largest case, whose report the export
    task makes, read back."""
    from bench.outcome_work import LARGEST_CASE_ENTRIES, REPORT_CASE_ENTRIES, report_cases
    from cases.models import Case, User
    from cases.permissions import case_get_for_user
    from outcomes.case_report.export import LARGE_CHRONOLOGY, is_large
    from outcomes.exports.models import Export

    assert REPORT_CASE_ENTRIES == LARGE_CHRONOLOGY
    command = Command()
    command.stdout = io.StringIO()
    cases = []
    for case_id in report_cases():
        case = Case.objects.get(pk=case_id)
        manager = User.objects.filter(team_id=case.team_id, groups__name=Role.TEAM_MANAGER).order_by("id").first()
        cases.append((manager, case_get_for_user(user=manager, case_id=case_id, log=False)))
    (manager, report), (largest_manager, largest) = cases

    assert report.chronology.count() == REPORT_CASE_ENTRIES and not is_large(case=report, user=manager)
    assert largest.chronology.count() == LARGEST_CASE_ENTRIES
    made = command.largest_case_report(largest_manager, largest)
    assert made["made"] and made["by_a_task"] and made["pages"] > 20
    assert not Export.objects.exists()  # the benchmark's export is not left behind
