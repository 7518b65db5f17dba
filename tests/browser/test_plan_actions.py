"""A member of the team around the family (the school's practitioner, whose agency the family has
not agreed to share their details with) sees their overdue action on their home page, opens it,
gets the errors of an empty form, then records progress; axe-core checks every page visited, and
the progress is read back from the database."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessments.models import ActionStatus, ActionUpdate
from tests.assessments.test_plan_support import planned_case
from tests.browser.test_roles import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"  # tests.factories.UserFactory's


@pytest.fixture
def scene(transactional_db, live_server, world):
    case, plan, action, _family_action = planned_case(world, overdue=True)
    return world, case, action


def test_a_taf_member_records_progress_on_their_action(scene, page: Page):
    w, case, action = scene
    sign_in(page, w.school_practitioner.username, PASSWORD)

    panel = page.locator("#your-actions + *")
    expect(page.get_by_role("heading", name="Your actions")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Daily check-in at the school gate")
    expect(row).to_contain_text(case.reference)
    expect(row).to_contain_text("Overdue")
    expect(panel).not_to_contain_text(case.family.name)
    assert_accessible(page)

    row.get_by_role("link", name=re.compile("^Update")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action in the family plan")
    expect(page.locator("main")).not_to_contain_text(case.family.name)
    assert_accessible(page)

    page.get_by_role("button", name="Save progress").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what has been done")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)

    page.get_by_label("What has been done?").fill("Met Sam at the gate three mornings this week.")
    page.get_by_label("On track").check()
    page.get_by_role("button", name="Save progress").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Progress saved")
    expect(page.get_by_role("row").filter(has_text="Daily check-in")).to_contain_text("On track")
    assert_accessible(page)
    update = ActionUpdate.objects.get(action=action)
    assert (update.note, update.status, update.recorded_by) == (
        "Met Sam at the gate three mornings this week.",
        ActionStatus.ON_TRACK,
        w.school_practitioner,
    )
