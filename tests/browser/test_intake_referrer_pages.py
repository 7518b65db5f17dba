"""The referrer's own pages in a real browser, by keyboard, axe on each: a sent referral opened from
"my referrals", a draft listed by its children and deleted after the page that asks first, a person
removed from a draft after the same; and a lead professional removing someone from the team."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from cases.models import CaseMember
from front_door import services
from front_door.models import Channel, DecisionOutcome, Referral, ReferrerLetter
from front_door.services import PersonData
from tests.browser.test_intake_public_keyboard import press
from tests.browser.test_roles import assert_accessible, sign_in
from tests.conftest import open_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "a-test-password-42"  # tests/factories.py


@pytest.fixture
def browser_world(transactional_db, live_server, world):
    return world


def _child(first_name: str, **fields) -> PersonData:
    return PersonData(kind="child", first_name=first_name, last_name="Okafor", **fields)


def test_a_sent_referral_a_draft_and_a_person_removed(browser_world, page: Page):
    world = browser_world
    fields = {"concerns": "Amara has missed school.", "consent_given": True, "postcode": "EX1 1AB"}
    sent = services.referral_receive(
        channel=Channel.PRACTITIONER,
        actor=world.school_practitioner,
        people=[_child("Amara", date_of_birth=datetime.date(2016, 5, 17))],
        **fields,
    )
    decision = services.referral_decide(
        actor=world.duty_manager,
        confirm_new_people=True,
        referral=sent,
        outcome=DecisionOutcome.STEP_UP,
        level_of_need=world.level3,
        reason="Threshold met.",
    )
    ReferrerLetter.objects.create(referral=sent, decision=decision, pdf=b"%PDF-1.7 stand-in")
    draft = services.referral_create(channel=Channel.PRACTITIONER, actor=world.school_practitioner)
    for name in ("Amy", "Ben"):
        services.referral_person_add(referral=draft, data=_child(name))

    sign_in(page, world.school_practitioner.username, PASSWORD)
    page.goto("/referrals/mine/")
    assert_accessible(page)
    press(page, sent.reference)
    expect(page.get_by_role("heading", name=f"Referral {sent.reference}")).to_be_visible()
    expect(page.get_by_text("Passed to children's social care")).to_be_visible()
    expect(page.get_by_text("Amara Okafor")).to_be_visible()

    # A person removed from the draft: the page that asks first, then back.
    page.goto(f"/referrals/{draft.pk}/children/")
    assert_accessible(page)
    press(page, "Remove Ben Okafor")
    expect(page.get_by_role("heading", name="Are you sure you want to remove Ben Okafor?")).to_be_visible()
    press(page, "Yes, remove Ben Okafor")
    expect(page.get_by_text("Ben Okafor removed")).to_be_visible()

    # The draft, named by its child, deleted from the start page after the page that asks first.
    page.goto("/referrals/new/")
    assert_accessible(page)
    expect(page.get_by_role("link", name="Draft: referral for Amy Okafor", exact=True)).to_be_visible()
    press(page, "Delete Draft: referral for Amy Okafor")
    expect(page.get_by_role("heading", name="Are you sure you want to delete this draft?")).to_be_visible()
    press(page, "Yes, delete this draft")
    expect(page.get_by_text("Draft deleted: referral for Amy Okafor")).to_be_visible()
    assert not Referral.objects.filter(pk=draft.pk).exists()


def test_removing_someone_from_the_team_asks_first(browser_world, page: Page):
    world = browser_world
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    name = world.school_practitioner.get_full_name()

    sign_in(page, world.lead.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    press(page, f"Remove {name} from the team")
    expect(page.get_by_role("heading", name=f"Are you sure you want to remove {name} from the team?")).to_be_visible()
    press(page, f"Yes, remove {name}")

    expect(page.get_by_text(f"{name} removed from the team around the family")).to_be_visible()
    assert CaseMember.objects.get(case=case, user=world.school_practitioner).ended_at is not None
