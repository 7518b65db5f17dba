"""A public referral with a phone number only, through to its posted letter, in a real browser: the
duty manager decides it, its letter waits on "letters to post or phone" (reached from the home
page's count), the printable letter opens, and "Sent by post" is recorded, meeting the 72-hour
clock. axe-core checks every page visited."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from cases.models import Deadline
from front_door import services
from front_door.letters import letter_create_and_send
from front_door.models import Channel, Decision, LetterStatus, ReferrerLetter, ReferrerRelationship
from front_door.services import PersonData
from tests.browser.test_roles import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "demo-password-123"


@pytest.fixture
def phone_only_referral(transactional_db, live_server):
    """The demo, and a grandparent's request through the public form giving a phone number only."""
    call_command("load_demo_data", verbosity=0)
    return services.referral_receive(
        channel=Channel.PUBLIC,
        actor=None,
        people=[PersonData(kind="child", first_name="Maisie", last_name="Thornbury")],
        referrer_relationship=ReferrerRelationship.RELATIVE,
        referrer_name="June Thornbury",
        referrer_phone="07700 900 461",
        address_line_1="4 Brook Street",
        town="Exton",
        postcode="EX1 1AB",
        concerns="Maisie's mum is unwell and Maisie is looking after her little brother on her own.",
        consent_given=True,
    )


def test_a_phone_only_public_referral_through_to_its_posted_letter(phone_only_referral, page: Page):
    referral = phone_only_referral

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
    expect(page.get_by_text("07700 900 461")).to_be_visible()
    assert_accessible(page)

    # The printable letter opens.
    href = page.get_by_role("link", name=re.compile("Open the letter to print it")).get_attribute("href")
    printed = page.request.get(href)
    assert printed.status == 200
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.headers["content-disposition"].startswith("inline")
    assert printed.body().startswith(b"%PDF")

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
