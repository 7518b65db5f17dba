"""A panel coordinator prepares a meeting and runs one in a real browser: from the waiting list on
their home page to the agenda (cases added and ordered, sent to members, printed), then at a meeting
that has started, attendance, one decision of each kind through the radios' conditional reveals
(the first by keyboard alone, after an empty submit and an incomplete one), an action, an amendment,
completion and the minutes. axe-core checks every page visited; the effects are read back from the
database."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import CaseStatus, Deadline, Notification
from front_door.models import Referral
from panels import services
from panels.models import AgendaItem, Attendance, MeetingAction, MeetingStatus, PanelDecision, PanelOutcome
from tests.browser.test_decision_keyboard import focused_id, tab_to
from tests.browser.test_reflow import WIDTH, page_width
from tests.browser.test_roles import assert_accessible, sign_in
from tests.panels.conftest import meeting_now, panel, upcoming, waiting_case  # noqa: F401 (fixtures)
from tests.panels.test_pdfs import text as pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"  # tests.factories.UserFactory's


@pytest.fixture
def scene(transactional_db, live_server, world, panel, meeting_now, upcoming):  # noqa: F811
    """Two cases waiting for the panel's next meeting, and four on the agenda of the meeting that has
    started, one for each kind of decision."""
    w = world
    w.panel, w.meeting_now, w.upcoming = panel, meeting_now, upcoming[0]
    w.first, w.second = waiting_case(w), waiting_case(w)
    w.allocate, w.not_for_panel, w.defer, w.step_up = (
        services.agenda_add(actor=w.panel_coordinator, meeting=meeting_now, case=waiting_case(w)).case for _ in range(4)
    )
    return w


def go(page: Page, action) -> None:
    """Do `action` (a click or a key press) and wait for the page it opens."""
    with page.expect_navigation():
        action()


def pdf_at(page: Page, link_name: str) -> bytes:
    href = page.get_by_role("link", name=link_name).get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    return response.body()


def assert_error_summary(page: Page, *messages: str) -> None:
    """The GOV.UK error summary is shown and has the focus, says each of `messages`, and each of its
    links leads to a control on the page."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    for message in messages:
        expect(summary).to_contain_text(message)
    targets = summary.locator("a").evaluate_all("links => links.map((link) => link.getAttribute('href'))")
    assert targets, "the error summary links to nothing"
    for target in targets:
        expect(page.locator(target)).to_have_count(1)


def decide(page: Page, reference: str) -> None:
    go(page, page.get_by_role("link", name=f"Record decision on {reference}").click)
    expect(page.locator("h1")).to_contain_text(f"case {reference}")
    assert_accessible(page)


def test_a_coordinator_prepares_and_runs_a_meeting(scene, page: Page):
    w = scene
    sign_in(page, w.panel_coordinator.username, PASSWORD)

    # The home page's waiting list section, then the panel's waiting list.
    expect(page.get_by_role("heading", name="Waiting for the panel")).to_be_visible()
    assert_accessible(page)
    go(page, page.get_by_role("link", name=f"Waiting list of the {w.panel.name}").click)
    expect(page.locator("h1")).to_have_text("Waiting list")
    expect(page.get_by_role("region", name="6 cases waiting")).to_be_visible()
    assert_accessible(page)

    # From the waiting list, the first case onto the next meeting's agenda.
    go(page, page.get_by_role("button", name=re.compile(f"Add to the agenda for .*: {w.first.reference}$")).click)
    expect(page).to_have_url(re.compile(rf"/panels/meetings/{w.upcoming.pk}/#agenda$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Case {w.first.reference} added")
    assert_accessible(page)

    # Added with nothing chosen: the error, and then the second case from the meeting page.
    go(page, page.get_by_role("button", name="Add to the agenda").click)
    assert_error_summary(page, "Select a case waiting for the panel")
    expect(page.locator("#case")).to_have_attribute("aria-describedby", "case-hint case-error")
    assert_accessible(page)
    page.get_by_label("Add a case waiting for the panel").select_option(str(w.second.pk))
    go(page, page.get_by_role("button", name="Add to the agenda").click)
    assert_accessible(page)

    # The second case moves up, to be discussed first.
    go(page, page.get_by_role("button", name=f"Move up {w.second.reference}").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Case {w.second.reference} moved up")
    assert_accessible(page)
    agenda = list(AgendaItem.objects.filter(meeting=w.upcoming).order_by("position").values_list("case", flat=True))
    assert agenda == [w.second.pk, w.first.pk]
    rows = page.get_by_role("region", name="Agenda").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text(w.second.reference)
    expect(rows.nth(1)).to_contain_text(w.first.reference)

    # At 320 pixels wide the meeting page reflows: only the agenda's table scrolls, inside its region.
    page.set_viewport_size({"width": WIDTH, "height": 640})
    assert page_width(page) <= WIDTH
    page.set_viewport_size({"width": 1280, "height": 720})

    go(page, page.get_by_role("button", name="Send the agenda to members").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Agenda sent to 2 members")
    assert_accessible(page)
    w.upcoming.refresh_from_db()
    assert w.upcoming.agenda_sent_at is not None
    told = Notification.objects.filter(subject__startswith=f"Agenda: {w.panel.name}")
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [w.school_practitioner.pk, w.health_practitioner.pk]
    )
    assert not [n for n in told if w.first.family.name in n.body]  # a link, never a family's details
    agenda_pdf = pdf_text(pdf_at(page, "Download the agenda and papers (PDF)"))
    assert agenda_pdf.index(w.second.reference) < agenda_pdf.index(w.first.reference)

    # The meeting that has started: attendance first.
    page.goto(f"/panels/meetings/{w.meeting_now.pk}/")
    assert_accessible(page)
    go(page, page.get_by_role("link", name="Record attendance").click)
    assert_accessible(page)
    page.locator(f"#id_member_{w.school_member.pk}_1").check()
    page.locator(f"#id_member_{w.health_member.pk}_2").check()
    go(page, page.get_by_role("button", name="Save attendance").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Attendance saved")
    assert_accessible(page)
    assert dict(Attendance.objects.filter(meeting=w.meeting_now).values_list("member", "status")) == {
        w.school_member.pk: Attendance.Status.PRESENT,
        w.health_member.pk: Attendance.Status.APOLOGIES,
    }

    # Allocate, by keyboard alone: first sent empty, then without the lead agency.
    decide(page, w.allocate.reference)
    tab_to(page, "submit-id-submit")
    go(page, lambda: page.keyboard.press("Enter"))
    expect(page).to_have_title(re.compile(r"^Error: Decision on "))
    assert_error_summary(page, "Select the panel's decision")
    assert_accessible(page)

    tab_to(page, "id_outcome_1")
    page.keyboard.press("Space")
    expect(page.locator("#id_outcome_1")).to_be_checked()
    expect(page.locator("#id_lead_agency")).to_be_visible()
    expect(page.locator("#id_defer_reason")).to_be_hidden()
    assert_accessible(page)
    # Only the allocation's own questions are on the way: the other outcomes' are not in the tab order.
    assert tab_to(page, "id_allocate_reason") == [
        "id_lead_agency",
        "id_team",
        "id_threshold_confirmed",
        "id_allocate_reason",
    ]
    page.keyboard.type("Family support worker to start next week.")
    tab_to(page, "submit-id-submit")
    go(page, lambda: page.keyboard.press("Enter"))
    assert_error_summary(page, "lead agency", "level 3")
    expect(page.locator("#id_outcome_1")).to_be_checked()
    expect(page.locator("#id_lead_agency")).to_be_visible()
    expect(page.locator("#id_allocate_reason")).to_have_value("Family support worker to start next week.")
    assert_accessible(page)

    tab_to(page, "id_lead_agency")
    # Type-ahead, as a keyboard user picks an option; short words, as a pause ends the search.
    page.keyboard.type("Council")
    expect(page.locator("#id_lead_agency")).to_have_value(str(w.council.pk))
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_team"
    page.keyboard.type("North")  # the first of the north's teams: North Family Support
    expect(page.locator("#id_team")).to_have_value(str(w.team.pk))
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_threshold_confirmed"
    page.keyboard.press("Space")
    expect(page.locator("#id_threshold_confirmed")).to_be_checked()
    tab_to(page, "submit-id-submit")
    go(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Lead agency allocated: {w.council.name} leads the early help for {w.allocate.reference}"
    )
    assert_accessible(page)
    w.allocate.refresh_from_db()
    assert w.allocate.status == CaseStatus.AWAITING_LEAD_PROFESSIONAL
    assert (w.allocate.lead_agency, w.allocate.panel_route) == (w.council, "")
    allocated = PanelDecision.objects.get(item__case=w.allocate)
    assert (allocated.outcome, allocated.team, allocated.threshold_confirmed) == (PanelOutcome.ALLOCATE, w.team, True)
    assert Notification.objects.filter(
        recipient=w.team_manager, subject=f"Lead agency allocated: {w.allocate.reference}"
    ).exists()
    clock = Deadline.objects.get(case=w.allocate, timescale__code="lead-professional")
    assert (clock.remind_agency, clock.escalate_user, clock.met_at) == (w.council, w.panel_coordinator, None)

    # Not for the panel: to single-agency support, with a reason.
    decide(page, w.not_for_panel.reference)
    page.get_by_label("Not for the panel", exact=True).check()
    page.get_by_label("Single-agency support", exact=True).check()
    page.get_by_label("Why is the case not for the panel?").fill("The school's support is enough.")
    go(page, page.get_by_role("button", name="Record the decision").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{w.not_for_panel.reference} is not for")
    assert_accessible(page)
    w.not_for_panel.refresh_from_db()
    assert w.not_for_panel.status == CaseStatus.CLOSED
    assert w.not_for_panel.closure_reason.code == "stepped-down"
    assert not Referral.objects.filter(family=w.not_for_panel.family).exists()

    # Defer: the case goes onto the next meeting's agenda.
    decide(page, w.defer.reference)
    page.get_by_label("Defer to the next meeting", exact=True).check()
    page.get_by_label("What is needed before the next meeting").fill("The health visitor's report.")
    go(page, page.get_by_role("button", name="Record the decision").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{w.defer.reference} is deferred")
    assert_accessible(page)
    assert AgendaItem.objects.filter(meeting=w.upcoming, case=w.defer, decisions__isnull=True).exists()
    w.defer.refresh_from_db()
    assert w.defer.status == CaseStatus.AWAITING_ALLOCATION

    # Step up: a referral to the front door as a safeguarding concern.
    decide(page, w.step_up.reference)
    page.get_by_label("Step up to the front door as a safeguarding concern", exact=True).check()
    page.get_by_label("The safeguarding concern for the front door").fill("A bruise the school saw on Monday.")
    go(page, page.get_by_role("button", name="Record the decision").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{w.step_up.reference} is stepped up")
    assert_accessible(page)
    referral = Referral.objects.get(family=w.step_up.family)
    assert w.step_up.reference in referral.concerns and "A bruise the school saw on Monday." in referral.concerns
    w.step_up.refresh_from_db()
    assert (w.step_up.status, w.step_up.closure_reason.code) == (CaseStatus.CLOSED, "stepped-up")

    # An action for a member.
    go(page, page.get_by_role("link", name="Add an action").click)
    assert_accessible(page)
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.get_by_label("What needs to be done?").fill("Ask the GP about the family's registration.")
    page.get_by_label("Who will do it?").select_option(str(w.health_practitioner.pk))
    page.locator("#id_due_on_0").fill(str(due.day))
    page.locator("#id_due_on_1").fill(str(due.month))
    page.locator("#id_due_on_2").fill(str(due.year))
    page.get_by_label("Which case is it about? (optional)").select_option(label=w.allocate.reference)
    go(page, page.get_by_role("button", name="Add the action").click)
    expect(page.get_by_role("region", name="Actions")).to_contain_text("Ask the GP about the family's registration.")
    assert_accessible(page)
    action = MeetingAction.objects.get(meeting=w.meeting_now)
    assert (action.owner, action.due_on, action.item.case) == (w.health_practitioner, due, w.allocate)

    # The deferral is amended: the decision stays, the amendment is recorded beside it. Its question
    # left empty first: the page says what is missing and keeps why it is amended.
    deferred = PanelDecision.objects.get(item__case=w.defer, item__meeting=w.meeting_now)
    go(page, page.get_by_role("link", name=f"Amend the decision on {w.defer.reference}").click)
    assert_accessible(page)
    needed = page.get_by_label("What is needed before the next meeting")
    expect(needed).to_have_value("The health visitor's report.")
    page.get_by_label("Why is the decision being amended?").fill("The chair corrected the minutes.")
    needed.fill("")
    go(page, page.get_by_role("button", name="Amend the decision").click)
    assert_error_summary(page, "Enter what is needed before the next meeting")
    expect(page.get_by_label("Why is the decision being amended?")).to_have_value("The chair corrected the minutes.")
    assert_accessible(page)
    needed.fill("The health visitor's report and the school's attendance figures.")
    go(page, page.get_by_role("button", name="Amend the decision").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Decision amended for case {w.defer.reference}")
    assert_accessible(page)
    amendment = PanelDecision.objects.get(amends=deferred)
    assert (amendment.reason, amendment.amendment_reason) == (
        "The health visitor's report and the school's attendance figures.",
        "The chair corrected the minutes.",
    )
    deferred.refresh_from_db()
    assert deferred.reason == "The health visitor's report."

    # Completed: the minutes are final and print.
    go(page, page.get_by_role("button", name="Complete the meeting").click)
    assert_accessible(page)
    page.get_by_label("General notes (optional)").fill("Quorate. Next meeting as scheduled.")
    go(page, page.get_by_role("button", name="Complete the meeting").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Meeting completed")
    assert_accessible(page)
    w.meeting_now.refresh_from_db()
    assert w.meeting_now.status == MeetingStatus.HELD
    minutes = pdf_text(pdf_at(page, "Download the minutes (PDF)"))
    for words in (w.allocate.reference, w.council.name, "Ask the GP about the family's registration."):
        assert words in minutes
