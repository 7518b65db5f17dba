"""Reflow (WCAG 2.2 1.4.10): at 320 CSS pixels wide, the width of a phone or of a 1280 px screen
zoomed to 400 %, no page of the main lists or homes scrolls sideways. Wide tables scroll inside a
labelled region a keyboard can reach; the header and the footer fit. Each page is checked by axe
too. The pages are those of the demo data, as a tester sees them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_roles import DEMO_PASSWORD, assert_accessible, sign_in
from tests.demo_snapshot import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTH = 320

# Each role's home page, and the lists the issue found scrolling sideways.
PAGES = [
    ("duty.manager", "/"),
    ("duty.manager", "/front-door/"),
    ("duty.manager", "/cases/"),
    ("contact.officer", "/"),
    ("panel.coordinator", "/"),
    ("lead.professional", "/"),
    ("lead.professional", "/cases/"),
    ("school.practitioner", "/"),
    ("team.manager", "/"),
    ("team.manager", "/cases/"),
    ("analyst", "/"),
    ("admin", "/"),
]


@pytest.fixture
def demo_data(transactional_db, live_server):
    load_demo()


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def cut_off(page: Page, selector: str) -> list[str]:
    """The elements inside `selector` whose right edge lies past the viewport (cut off, or making
    the page scroll), each named by its tag, class and text."""
    return page.evaluate(
        """([selector, width]) => [...document.querySelectorAll(selector + ' *')]
            .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > width + 0.5)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 40)}"`)""",
        [selector, WIDTH],
    )


def test_at_320_pixels_no_list_or_home_page_scrolls_sideways(demo_data, browser, live_server):
    contexts = {}
    for username, path in PAGES:
        if username not in contexts:
            context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": 640})
            context.set_default_timeout(10_000)
            contexts[username] = context.new_page()
            sign_in(contexts[username], username, DEMO_PASSWORD)
        page = contexts[username]
        response = page.goto(path)
        assert response.status == 200

        assert page_width(page) <= WIDTH, f"{path} as {username} is {page_width(page)} px wide: " + "; ".join(
            cut_off(page, "body")[:8]
        )
        assert cut_off(page, "header") == [], f"the header of {path} as {username} is cut off"
        assert cut_off(page, "footer") == [], f"the footer of {path} as {username} is cut off"
        assert_accessible(page)
    for page in contexts.values():
        page.context.close()


# Every other page with a table, and the records reached from the lists (the first link of its kind
# on the page named that shows a table): the case page's sections, the triage page's matches and history.
OTHER_PAGES = [
    ("duty.manager", "/front-door/letters/"),
    ("duty.manager", ("/front-door/", "/front-door/referrals/")),
    ("duty.manager", "/cases/people/?name=Okafor"),
    ("contact.officer", "/front-door/contacts/awaiting-confirmation/"),
    ("school.practitioner", "/referrals/mine/"),
    ("school.practitioner", "/front-door/information-requests/"),
    ("lead.professional", ("/cases/", "/cases/")),
    ("analyst", "/cases/figures/"),
    ("panel.coordinator", "/panels/"),
    # The panels' waiting lists and meetings, reached from the coordinator's home page.
    ("panel.coordinator", ("/", "/panels/", "/waiting-list/")),
    ("panel.coordinator", ("/", "/panels/meetings/")),
]


def is_record(href: str, suffix: str = "") -> bool:
    """A record's page: its path ends with `suffix` if one is named, otherwise with an id."""
    return href.endswith(suffix) if suffix else href.rstrip("/").rsplit("/", 1)[-1].isdigit()


def test_at_320_pixels_no_record_or_other_list_scrolls_sideways(demo_data, browser, live_server):
    contexts = {}
    for username, path in OTHER_PAGES:
        if username not in contexts:
            context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": 640})
            context.set_default_timeout(10_000)
            contexts[username] = context.new_page()
            sign_in(contexts[username], username, DEMO_PASSWORD)
        page = contexts[username]
        if isinstance(path, tuple):
            list_path, prefix, *suffix = path
            page.goto(list_path)
            hrefs = page.eval_on_selector_all(
                f"main a[href^='{prefix}']", "els => els.map((el) => el.getAttribute('href'))"
            )
            records = [href for href in hrefs if is_record(href, *suffix)]
            # The first record of the list that has a table (a referral with matches or history).
            path = next(href for href in records if page.goto(href) and page.locator("main table").count())
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("main table").count(), f"{path} shows no table: the check proves nothing"

        assert page_width(page) <= WIDTH, f"{path} as {username} is {page_width(page)} px wide: " + "; ".join(
            cut_off(page, "body")[:8]
        )
        assert_accessible(page)
    for page in contexts.values():
        page.context.close()


@pytest.mark.parametrize(("username", "path"), [("duty.manager", "/front-door/"), ("team.manager", "/cases/")])
def test_a_wide_table_scrolls_in_a_labelled_region_a_keyboard_can_reach(
    demo_data, browser, live_server, username, path
):
    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": 640})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, username, DEMO_PASSWORD)
    page.goto(path)

    region = page.locator("main [role=region]:has(table)")
    expect(region).to_have_count(1)
    expect(region).to_have_attribute("tabindex", "0")
    label = region.get_attribute("aria-label")
    assert label, "the scrolling region has no label"
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits: nothing to scroll"
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(region).to_be_focused()
    # Chromium scrolls smoothly: the offset grows over a few frames, so wait for it (up to the
    # default timeout) rather than reading it once.
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
    assert page_width(page) <= WIDTH
    context.close()
