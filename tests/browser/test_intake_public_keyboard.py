"""A member of the public asks for help for two children, naming their mother, with the keyboard
alone: every question page in turn, check your answers, a child's details corrected from there,
and the request sent. axe-core checks every page on the way."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from front_door import intake_views
from front_door.models import Referral, ReferralStatus
from tests.browser.test_roles import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MAX_TABS = 60


@pytest.fixture
def public_form(transactional_db, live_server, monkeypatch):
    cache.clear()
    # Typing by script is faster than any person: the 3-second rule has its own tests.
    monkeypatch.setattr(intake_views, "MIN_SECONDS", 0)
    yield
    cache.clear()


def focused(page: Page) -> list[str]:
    """What has the keyboard's focus: its id, its text (a button or link) and its value (a submit input)."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            return [e.id, (e.textContent || "").trim().replace(/\\s+/g, " "), e.type === "submit" ? e.value : ""];
        }"""
    )


def tab_to(page: Page, target: str) -> None:
    """Press Tab until `target` (an id, or a button's or link's words) has the focus: it must be
    reachable by the keyboard, in order."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target in focused(page):
            return
    raise AssertionError(f"{target} is not reachable with Tab on {page.url}")


def type_into(page: Page, field_id: str, text: str) -> None:
    tab_to(page, field_id)
    page.keyboard.type(text)


def choose(page: Page, group: str, option: int = 1) -> None:
    """Tab into a group of radios (its first option), then choose the option-th with the arrow keys."""
    tab_to(page, f"{group}_1")
    page.keyboard.press("Space")
    for _ in range(option - 1):
        page.keyboard.press("ArrowDown")


def press(page: Page, button: str) -> None:
    """Activate the button or link `button` with Enter, and wait for the next page."""
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)


def add_child(page: Page, first: str, day: str, month: str, year: str, button: str) -> None:
    type_into(page, "id_first_name", first)
    type_into(page, "id_last_name", "Okafor")
    type_into(page, "id_date_of_birth_0", day)
    type_into(page, "id_date_of_birth_1", month)
    type_into(page, "id_date_of_birth_2", year)
    press(page, button)


def test_a_parent_and_two_children_by_keyboard_to_check_your_answers_and_sent(public_form, page: Page):
    page.goto("/refer/")
    assert_accessible(page)

    # About you: the radios are reached with Tab and chosen with Space.
    choose(page, "id_referrer_relationship", 3)  # A relative or family friend
    type_into(page, "id_referrer_name", "Joy Okafor")
    type_into(page, "id_referrer_email", "joy@example.org")
    press(page, "Save and continue")

    expect(page.get_by_role("heading", name="The children")).to_be_visible()
    add_child(page, "Amara", "17", "5", "2016", "Add this child")
    expect(page.get_by_text("Amara Okafor added")).to_be_visible()
    add_child(page, "Leo", "2", "9", "2019", "Continue")

    expect(page.get_by_role("heading", name="Parents and carers")).to_be_visible()
    type_into(page, "id_first_name", "Grace")
    type_into(page, "id_last_name", "Okafor")
    type_into(page, "id_relationship", "Mother")
    choose(page, "id_parental_responsibility")
    press(page, "Continue")

    type_into(page, "id_address_line_1", "12 Mill Lane")
    type_into(page, "id_town", "Exton")
    type_into(page, "id_postcode", "ex1 1ab")
    press(page, "Save and continue")

    type_into(page, "id_concerns", "Amara will not go to school and Leo is not sleeping.")
    press(page, "Save and continue")

    choose(page, "id_consent_given")
    press(page, "Save and continue")

    # Check your answers: Leo's date of birth corrected on his own page, then back here.
    expect(page.get_by_role("heading", name="Check your answers before sending your request")).to_be_visible()
    expect(page.get_by_text("12 Mill Lane, Exton, EX1 1AB")).to_be_visible()
    press(page, "Change Leo Okafor")
    expect(page.locator("#id_first_name")).to_have_value("Leo")
    tab_to(page, "id_date_of_birth_0")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    press(page, "Save and continue")
    expect(page.get_by_role("heading", name="Check your answers before sending your request")).to_be_visible()
    expect(page.get_by_text("3 September 2019")).to_be_visible()

    press(page, "Send")

    referral = Referral.objects.get(status=ReferralStatus.AWAITING_DECISION)
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    expect(page.get_by_text(referral.reference)).to_be_visible()
    assert [(p.full_name, p.kind) for p in referral.people.order_by("kind", "id")] == [
        ("Grace Okafor", "adult"),
        ("Amara Okafor", "child"),
        ("Leo Okafor", "child"),
    ]
    assert referral.people.get(first_name="Leo").date_of_birth.isoformat() == "2019-09-03"
    assert (referral.referrer_name, referral.referrer_relationship) == ("Joy Okafor", "relative")
    assert referral.postcode == "EX1 1AB"
    assert referral.consent_given is True
