"""A lead professional records a review in a real browser: from the case page to the reviews, an
empty submit (the GOV.UK error summary), then progress on each action of the plan, the reading
taken this week, the family's view and the decision to continue, which leads to the plan; the
review's page shows it. axe-core checks every page visited; the effects are read back."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments import reviews
from assessments.models import Review
from tests.assessments.conftest import record as record_reading
from tests.assessments.test_review_services import agreed_plan
from tests.browser.test_roles import assert_accessible, sign_in
from tests.conftest import open_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"  # tests.factories.UserFactory's


def go(page: Page, action) -> None:
    with page.expect_navigation():
        action()


def test_a_lead_professional_records_a_review(transactional_db, live_server, world, page: Page):
    case = open_case(world, members=[(world.school_practitioner, "Class teacher")])
    type(case).objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=60))
    case.refresh_from_db()
    plan = agreed_plan(case)
    reading = record_reading(case, "family-star-plus", [6] * 10)
    actions = list(reviews.open_actions(plan=plan))

    sign_in(page, "lead", PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page)
    go(page, lambda: page.get_by_role("button", name="Reviews", exact=True).click())
    expect(page.locator("h1")).to_have_text("Reviews of the plan")
    expect(page.locator("body")).to_contain_text("First review")
    assert_accessible(page)
    go(page, lambda: page.get_by_role("link", name="Record a review").click())
    assert_accessible(page)

    go(page, lambda: page.get_by_role("button", name="Save the review").click())
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date the review was held")
    expect(summary).to_contain_text(f"Select the progress on “{actions[0].what}”")
    expect(summary).to_contain_text("Enter the family's view")
    assert_accessible(page)

    today = timezone.localdate()
    page.locator('input[name="held_on_0"]').fill(str(today.day))
    page.locator('input[name="held_on_1"]').fill(str(today.month))
    page.locator('input[name="held_on_2"]').fill(str(today.year))
    for action, status in zip(actions, ("done", "behind"), strict=True):
        page.locator(f'input[name="action_{action.pk}"][value="{status}"]').check()
        page.locator(f'textarea[name="action_{action.pk}_note"]').fill(f"Progress on {action.what}.")
    page.locator(f'input[name="reading"][value="{reading.pk}"]').check()
    page.get_by_label("The family's view").fill("Mornings are calmer now.")
    page.get_by_label("Progress overall").fill("Good progress; keep going.")
    page.get_by_label("Continue, amending the plan").check()
    go(page, lambda: page.get_by_role("button", name="Save the review").click())

    expect(page).to_have_url(re.compile(re.escape(reverse("assessments:plan", args=[case.pk])) + "$"))
    expect(page.locator("body")).to_contain_text("Review 1 saved")
    assert_accessible(page)
    made = Review.objects.get(case=case)
    assert (made.number, made.reading_id, made.decision) == (1, reading.pk, "continue")
    assert {p.action_id: p.status for p in made.progress.all()} == {actions[0].pk: "done", actions[1].pk: "behind"}
    assert made.plan_version.reason == "Review 1"

    page.goto(f"/cases/{case.pk}/reviews/{made.pk}/")
    expect(page.locator("h1")).to_have_text("Review 1 of the plan")
    expect(page.locator("body")).to_contain_text("Mornings are calmer now.")
    assert_accessible(page)
