"""A duty manager records a decision with the keyboard alone (Tab, Space, arrow keys and Enter).
Each outcome's questions are revealed under it only when it is chosen: with "step up" chosen the
MASH enquiry's 13 controls and the destinations are not in the tab order. axe-core checks the page
as each outcome is chosen."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from cases.models import LevelOfNeed
from front_door import services
from front_door.models import Channel, Decision, DecisionOutcome
from front_door.services import PersonData
from tests.browser.test_roles import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"  # tests.factories.UserFactory's
MAX_TABS = 80
MASH_ONLY = ("id_agencies", "id_question", "id_due_on")


@pytest.fixture
def referral(transactional_db, live_server, world):
    return services.referral_receive(
        channel=Channel.PRACTITIONER,
        actor=world.school_practitioner,
        people=[
            PersonData(kind="child", first_name="Amara", last_name="Okafor", date_of_birth=datetime.date(2016, 5, 17))
        ],
        address_line_1="12 Mill Lane",
        town="Exton",
        postcode="EX1 1AB",
        concerns="Amara has missed 20 days of school this term.",
        level_of_need=LevelOfNeed.objects.get(code="level-3"),
        consent_given=True,
    )


def focused_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim().slice(0, 40)")


def tab_to(page: Page, target: str, key: str = "Tab") -> list[str]:
    """Press Tab (or `key`) until `target` has the focus; the ids (or words) focused on the way."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        seen.append(focused_id(page))
        if seen[-1] == target:
            return seen
    raise AssertionError(f"{target} is not reachable with Tab: {seen}")


def test_a_decision_by_keyboard_with_the_conditional_reveals(world, referral, page: Page):
    sign_in(page, world.duty_manager.username, PASSWORD)
    page.goto(f"/front-door/referrals/{referral.pk}/")
    expect(page.locator("h1")).to_have_text(f"Okafor family: referral {referral.reference}")
    assert_accessible(page)
    # With JavaScript, nothing is revealed before an outcome is chosen.
    for field in (*MASH_ONLY, "id_destination"):
        expect(page.locator(f"#div_{field}")).to_be_hidden()

    # Step up: none of the MASH controls nor the destinations are on the way to the button.
    tab_to(page, "id_outcome_1")
    page.keyboard.press("Space")
    expect(page.locator("#id_outcome_1")).to_be_checked()
    stops = tab_to(page, "submit-id-submit")
    assert not [stop for stop in stops if stop.startswith((*MASH_ONLY, "id_destination"))], stops
    assert len(stops) <= 4, stops  # the level of need, the reason, the confirmation, the button
    assert_accessible(page)

    # MASH: its questions are revealed under it, and in the tab order.
    back = tab_to(page, "id_outcome_1", key="Shift+Tab")
    assert len(back) == len(stops), back
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_outcome_2")).to_be_checked()
    expect(page.locator("#div_id_question")).to_be_visible()
    expect(page.locator("#id_outcome_2")).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert focused_id(page).startswith("id_agencies")

    # Early help: the MASH questions close again and the destinations open.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_outcome_3")).to_be_checked()
    expect(page.locator("#div_id_question")).to_be_hidden()
    expect(page.locator("#div_id_destination")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_destination_1"
    page.keyboard.press("Space")  # the first destination: Targeted family support
    tab_to(page, "id_reason")
    page.keyboard.type("Needs a family support worker.")
    tab_to(page, "id_confirm_new_people")
    page.keyboard.press("Space")
    tab_to(page, "submit-id-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_text("Decision recorded: Early help or other support: Targeted family support")).to_be_visible()
    assert_accessible(page)
    decision = Decision.objects.get(referral=referral)
    assert decision.outcome == DecisionOutcome.EARLY_HELP
    assert decision.destination.code == "targeted-family-support"
