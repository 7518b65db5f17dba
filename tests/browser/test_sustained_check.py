"""The six-month check in a real browser: a team manager of the lead agency finds the closed case in
their home panel of outcomes to check, opens the check, submits it empty first (one GOV.UK error
summary, one message a need), then answers each need with the keyboard alone (Tab, Space, arrow
keys, typing and Enter) and sees the confirmation on the case page. axe-core checks every page
visited; at 320 CSS pixels the check page does not scroll sideways; the answers are read back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from outcomes.models import Closure, NeedOutcome
from tests.browser.test_decision_keyboard import focused_id, tab_to
from tests.browser.test_roles import assert_accessible, sign_in
from tests.outcomes.test_closure import case as case  # noqa: F401 (the fixture: a case with two needs)
from tests.outcomes.test_closure import closed_with_outcomes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"  # tests.factories.UserFactory's
WIDTH = 320


@pytest.fixture
def closed(transactional_db, live_server, world, case, client_for):  # noqa: F811
    """The case closed with both its needs' outcomes (one achieved, one partly): two to check."""
    return closed_with_outcomes(world, case, client_for)


def test_the_six_month_check_from_the_home_panel_by_keyboard(world, case, closed, page: Page):  # noqa: F811
    first, second = (NeedOutcome.objects.get(closure=closed, need=need) for need in case.test_needs)
    sign_in(page, world.team_manager.username, PASSWORD)
    panel = page.get_by_role("heading", name="Outcomes to check six months after closure")
    expect(panel).to_be_visible()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=case.reference).click()

    expect(page.locator("h1")).to_have_text("Did the outcomes last?")
    expect(page.get_by_role("group", name=re.compile(r"^Outcome 1: .*Misses school"))).to_be_visible()
    expect(page.get_by_role("group", name=re.compile(r"^Outcome 2: .*the whole family: Rent arrears"))).to_be_visible()
    assert_accessible(page)

    # Submitted empty: one error summary naming each outcome, its links to each question.
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("Say whether outcome 1 has lasted")
    expect(summary).to_contain_text("Say whether outcome 2 has lasted")
    assert_accessible(page)

    # The keyboard alone, from the top of the page: the first need lasted, the second did not.
    page.locator("body").focus()
    tab_to(page, f"id_outcome_{first.pk}_1")
    page.keyboard.press("Space")
    expect(page.locator(f"#id_outcome_{first.pk}_1")).to_be_checked()
    page.keyboard.press("Tab")
    assert focused_id(page) == f"id_outcome_{first.pk}_note"
    page.keyboard.type("Attendance still 96%")
    page.keyboard.press("Tab")
    assert focused_id(page) == f"id_outcome_{second.pk}_1"
    page.keyboard.press("ArrowDown")  # moving within a radio group selects: No
    expect(page.locator(f"#id_outcome_{second.pk}_2")).to_be_checked()
    tab_to(page, f"id_outcome_{second.pk}_note")
    page.keyboard.type("Arrears again since the summer")
    tab_to(page, "submit-id-submit")
    assert_accessible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Recorded whether the outcomes lasted")
    expect(page.locator("#closure-outcomes + dl")).to_contain_text("Checked on")
    assert_accessible(page)
    closure = Closure.objects.get(pk=closed.pk)
    assert closure.sustained_checked_by == world.team_manager
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.sustained, first.sustained_note) == (True, "Attendance still 96%")
    assert (second.sustained, second.sustained_note) == (False, "Arrears again since the summer")

    # Once only: the page now shows what was recorded, and the home panel has nothing left.
    page.goto(f"/cases/{case.pk}/outcomes/sustained/")
    expect(page.locator(".govuk-inset-text")).to_contain_text("This was recorded on")
    answers = page.locator("main .govuk-list li")
    expect(answers.nth(0)).to_have_text(re.compile(r": Misses school: lasted\. Attendance still 96%$"))
    expect(answers.nth(1)).to_have_text(re.compile(r"the whole family: Rent arrears: did not last\. Arrears again"))
    expect(page.locator("main form")).to_have_count(0)
    assert_accessible(page)
    page.goto("/")
    expect(page.get_by_role("link", name=case.reference)).to_have_count(0)


def test_at_320_pixels_the_check_page_does_not_scroll_sideways(world, case, closed, browser, live_server):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": 640})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, world.team_manager.username, PASSWORD)
        for path in ("/", f"/cases/{case.pk}/outcomes/sustained/"):
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, path
            assert_accessible(page)
    finally:
        context.close()
