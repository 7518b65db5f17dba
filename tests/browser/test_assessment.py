"""A lead professional completes the Early Help Assessment's task list by keyboard alone: two
sections filled on their pages (the first after an empty try, the error summary shown), the rest
already saved through the services to keep the test short; then check your answers and submit.
axe-core checks every page visited; the effects are read back from the database."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessments import assessment_services as services
from assessments.models import Assessment, AssessmentStatus, SectionKind, SectionStatus
from tests.assessments.test_assessment_services import add_need, consent, save
from tests.browser.test_decision_keyboard import focused_id
from tests.browser.test_roles import assert_accessible, sign_in
from tests.conftest import open_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"  # tests.factories.UserFactory's
BY_HAND = (SectionKind.STRENGTHS, SectionKind.HISTORY)
MAX_TABS = 250


@pytest.fixture
def case(transactional_db, live_server, world):
    case = open_case(world)
    consent(case)
    assessment = services.assessment_start(actor=world.lead, case=case)
    add_need(assessment)
    for section in assessment.sections.select_related("assessment__case", "person"):
        if section.kind not in BY_HAND:
            save(section)
    return case


def tab_to(page: Page, target: str) -> None:
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        seen.append(focused_id(page))
        if seen[-1] == target:
            return
    raise AssertionError(f"{target} is not reachable with Tab: {seen[:40]}")


def enter(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def fill_section(page: Page, link: str, field: str, answer: str) -> None:
    """From the task list: open the section by keyboard, type the answer, say it is completed, save."""
    tab_to(page, link)
    enter(page)
    expect(page.locator("h1")).to_have_text(link)
    assert_accessible(page)
    tab_to(page, field)
    page.keyboard.type(answer)
    tab_to(page, "id_completed_1")
    page.keyboard.press("Space")
    tab_to(page, "submit-id-submit")
    enter(page)
    expect(page.locator("h1")).to_have_text("Early help assessment")


def test_a_lead_professional_completes_and_submits_the_assessment_by_keyboard(world, case, page: Page):
    sign_in(page, world.lead.username, PASSWORD)
    # The longest pages, checked once: the triangle's domains and the needs with their forms.
    for kind in (SectionKind.CHILD_DOMAINS, SectionKind.NEEDS):
        section = Assessment.objects.get(case=case).sections.filter(kind=kind).first()
        page.goto(f"/cases/{case.pk}/assessment/sections/{section.pk}/")
        assert_accessible(page)
    page.goto(f"/cases/{case.pk}/assessment/")
    expect(page.locator("h1")).to_have_text("Early help assessment")
    expect(page.locator(".govuk-task-list")).to_contain_text("Not started")
    assert_accessible(page)

    # The first section saved empty as completed: the error summary, focused, says what is missing.
    tab_to(page, "The family's strengths")
    enter(page)
    tab_to(page, "id_completed_1")
    page.keyboard.press("Space")
    tab_to(page, "submit-id-submit")
    enter(page)
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the family's strengths")
    assert_accessible(page)
    page.goto(f"/cases/{case.pk}/assessment/")

    fill_section(page, "The family's strengths", "id_strengths", "Grandmother does the school run twice a week")
    fill_section(page, "What has been tried before", "id_tried_before", "Attendance letters last year")
    assert_accessible(page)
    expect(page.locator(".govuk-task-list")).not_to_contain_text("Not started")

    tab_to(page, "Check and submit the assessment")
    enter(page)
    expect(page.locator("h1")).to_have_text("Check your answers before you submit the assessment")
    expect(page.locator("main")).to_contain_text("Grandmother does the school run twice a week")
    assert_accessible(page)
    tab_to(page, "Submit the assessment")
    enter(page)
    expect(page.locator(".govuk-task-list")).to_be_visible()
    assert_accessible(page)

    assessment = Assessment.objects.get(case=case)
    assert assessment.status == AssessmentStatus.SUBMITTED and assessment.submitted_by == world.lead
    for path in ("versions/", "versions/1/"):
        page.goto(f"/cases/{case.pk}/assessment/{path}")
        assert_accessible(page)

    # The team manager's page: approve or return, read the assessment first.
    page.context.clear_cookies()
    sign_in(page, world.team_manager.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/assessment/decide/")
    expect(page.locator("h1")).to_have_text("Approve or return the assessment")
    assert_accessible(page)
    strengths = assessment.sections.get(kind=SectionKind.STRENGTHS)
    assert strengths.status == SectionStatus.COMPLETED
    assert strengths.answers["strengths"] == "Grandmother does the school run twice a week"
