"""A public referral with a phone number only (and a postal address), sent through the public form,
through to its posted letter, in a real browser: the duty manager decides it, its letter waits on
"letters to post or phone" (reached from the home page's count), the printable letter opens, and
"Sent by post" is recorded, meeting the 72-hour clock. axe-core checks every page visited."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from cases.models import Deadline
from front_door import intake_views
from front_door.letters import letter_create_and_send
from front_door.models import Decision, LetterStatus, Referral, ReferralStatus, ReferrerLetter
from tests.browser.test_roles import assert_accessible, sign_in
from tests.demo_snapshot import load_demo
from tests.front_door.letters_helpers import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "demo-password-123"


@pytest.fixture
def demo(transactional_db, live_server, monkeypatch):
    load_demo()
    cache.clear()
    # Filled in by script, faster than any person: the form's 3-second rule has its own tests.
    monkeypatch.setattr(intake_views, "MIN_SECONDS", 0)
    yield
    cache.clear()


def send_public_request(page: Page) -> Referral:
    """A grandparent's request through the public form, giving a phone number and a postal address
    but no email address."""
    page.goto("/refer/")
    assert_accessible(page)
    page.get_by_label("A relative or family friend").check()
    page.locator("#id_referrer_name").fill("June Thornbury")
    page.locator("#id_referrer_phone").fill("07700 900461")
    page.locator("#id_referrer_address_line_1").fill("9 Orchard Row")
    page.locator("#id_referrer_town").fill("Exton")
    page.locator("#id_referrer_postcode").fill("EX2 4QQ")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    page.locator("#id_first_name").fill("Maisie")
    page.locator("#id_last_name").fill("Thornbury")
    page.locator("#id_date_of_birth_0").fill("4")
    page.locator("#id_date_of_birth_1").fill("3")
    page.locator("#id_date_of_birth_2").fill("2015")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.locator("#id_first_name").fill("Kerry")
    page.locator("#id_last_name").fill("Thornbury")
    page.locator("#id_relationship").fill("Mother")
    page.locator("#id_parental_responsibility_1").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.locator("#id_address_line_1").fill("4 Brook Street")
    page.locator("#id_town").fill("Exton")
    page.locator("#id_postcode").fill("EX1 1AB")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    page.locator("#id_concerns").fill(
        "Maisie's mum is unwell and Maisie is looking after her little brother on her own."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    page.locator("#id_consent_given_1").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Check your answers before sending your request")).to_be_visible()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    assert_accessible(page)
    return Referral.objects.get(referrer_name="June Thornbury", status=ReferralStatus.AWAITING_DECISION)


def test_a_phone_only_public_referral_through_to_its_posted_letter(demo, page: Page):
    referral = send_public_request(page)
    assert referral.referrer_email == ""
    page.context.clear_cookies()

    # The duty manager decides it.
    sign_in(page, "duty.manager", PASSWORD)
    page.goto("/front-door/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=referral.reference).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Claim this referral").click()
    assert_accessible(page)
    page.get_by_label("Early help or other support", exact=True).check()
    page.get_by_label("Targeted family support", exact=True).check()
    page.locator("form").filter(has_text="Record the decision").get_by_label("Level 3: Complex needs").check()
    page.get_by_label("Reason for the decision").fill("A family support worker can help with caring at home.")
    confirm = page.get_by_label(re.compile(r"I confirm (a )?new records? will be made"))
    if confirm.count():
        confirm.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    assert_accessible(page)
    decision = Decision.objects.get(referral=referral)

    # The Celery worker makes the letter in production; here the task's work is run directly.
    letter = letter_create_and_send(decision_id=decision.pk)
    assert letter.status == LetterStatus.TO_POST

    # The home page counts the letters to post, and links to them.
    page.goto("/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("letters to post or phone")).click()
    expect(page.get_by_role("heading", name="Letters to post or phone", level=1)).to_be_visible()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(referral.reference)).click()
    expect(page.get_by_role("heading", name="Letter to June Thornbury")).to_be_visible()
    expect(page.get_by_text("07700 900461")).to_be_visible()
    expect(page.get_by_text("9 Orchard Row")).to_be_visible()
    assert_accessible(page)

    # The printable letter opens.
    href = page.get_by_role("link", name=re.compile("Open the letter to print it")).get_attribute("href")
    printed = page.request.get(href)
    assert printed.status == 200
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.headers["content-disposition"].startswith("inline")
    assert printed.body().startswith(b"%PDF")
    # Addressed for the envelope, in words for a member of the public: no level of need.
    letter_words = pdf_text(printed.body())
    assert "Dear June Thornbury" in letter_words
    assert "9 Orchard Row" in letter_words and "EX2 4QQ" in letter_words
    assert "Level of need" not in letter_words

    # Sent by post, recorded.
    page.get_by_label("Sent by post").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record").click()
    expect(page.get_by_text(f"Letter for {referral.reference} recorded as sent by post")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(referral.reference))).to_have_count(0)
    assert_accessible(page)

    letter = ReferrerLetter.objects.get(pk=letter.pk)
    clock = Deadline.objects.get(timescale__code="referrer-letter", subject_type="referral", subject_id=referral.pk)
    assert letter.status == LetterStatus.POSTED
    assert letter.sent_by.username == "duty.manager"
    assert clock.met_at == letter.sent_at
