"""The front door end to end in a real browser: a school practitioner refers through the question
pages, the duty manager triages and decides, and the practitioner downloads the outcome letter.
axe-core checks every page visited."""

import pytest
from playwright.sync_api import Page, expect

from front_door.letters import letter_create_and_send
from front_door.models import Decision, Referral
from tests.browser.test_roles import assert_accessible, sign_in
from tests.demo_snapshot import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "demo-password-123"


@pytest.fixture
def demo(transactional_db, live_server):
    load_demo()


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_refer_triage_decide_and_download_the_letter(demo, page: Page):
    # The practitioner's question pages.
    sign_in(page, "school.practitioner", PASSWORD)
    page.goto("/referrals/new/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()

    assert_accessible(page)
    page.locator("#id_first_name").fill("Amara")
    page.locator("#id_last_name").fill("Okafor")
    page.locator("#id_date_of_birth_0").fill("17")
    page.locator("#id_date_of_birth_1").fill("5")
    page.locator("#id_date_of_birth_2").fill("2016")
    page.get_by_label("Female", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()

    assert_accessible(page)  # the adults page: nobody to add
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()

    assert_accessible(page)
    page.get_by_label("Address line 1", exact=True).fill("12 Mill Lane")
    page.get_by_label("Town or city", exact=True).fill("Exton")
    page.get_by_label("Postcode", exact=True).fill("ex1 1ab")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()

    assert_accessible(page)
    page.get_by_label("What are you worried about?").fill("Amara has missed 20 days of school this term.")
    page.get_by_label("What has been tried already?").fill("Two meetings with her mum at school.")
    page.get_by_label("Level 3: Complex needs").check()
    page.get_by_label("What do you expect to happen as a result of this referral?").fill("Family support.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()

    assert_accessible(page)
    page.get_by_label("Yes", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()

    assert_accessible(page)  # check your answers
    expect(page.get_by_text("EX1 1AB")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Send referral").click()

    assert_accessible(page)
    referral = Referral.objects.get(status="awaiting_decision", people__first_name="Amara")
    expect(page.get_by_text(referral.reference)).to_be_visible()
    sign_out(page)

    # The duty manager's queue and triage.
    sign_in(page, "duty.manager", PASSWORD)
    page.goto("/front-door/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=referral.reference).click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Claim this referral").click()
    assert_accessible(page)
    page.get_by_label("Early help or other support", exact=True).check()
    page.locator("form").filter(has_text="Record the decision").get_by_label("Level 3: Complex needs").check()
    page.get_by_label("Targeted family support", exact=True).check()
    page.get_by_label("Reason for the decision").fill("Needs a family support worker and a team around the family.")
    page.get_by_label("I confirm a new record will be made", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    assert_accessible(page)
    expect(page.get_by_text("Targeted family support").first).to_be_visible()
    sign_out(page)

    # The Celery worker makes the letter in production; here the task's work is run directly.
    letter_create_and_send(decision_id=Decision.objects.get(referral=referral).pk)

    sign_in(page, "school.practitioner", PASSWORD)
    page.goto("/referrals/mine/")
    assert_accessible(page)
    link = page.get_by_role("link", name="letter").first
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
