"""Every demo user signs in through the real form in headless Chromium and lands on their home
page; axe-core checks each page visited and any finding at all fails the test."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.browser.conftest import launch_chromium
from tests.demo_snapshot import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DEMO_PASSWORD = "demo-password-123"
DEMO_USERS = [
    ("duty.manager", "Dana Fielding"),
    ("contact.officer", "Cara Bell"),
    ("panel.coordinator", "Priya Coleman"),
    ("lead.professional", "Leon Parry"),
    ("school.practitioner", "Sam Okoro"),
    ("team.manager", "Tessa Marsh"),
    ("manager.coordinator", "Nadia Rahman"),
    ("duty.lead", "Owen Pryce"),
    ("analyst", "Ali Nash"),
    ("admin", "Ada Admin"),
]


@pytest.fixture
def demo_data(transactional_db, live_server):
    load_demo()


def govuk_conditional_reveal(violation: dict, node: dict) -> bool:
    """The one finding the GOV.UK Design System keeps on purpose: a radio that reveals questions says
    whether they are shown with `aria-expanded`, which ARIA 1.2 does not list for radios, because
    screen readers announce it (alphagov/govuk-frontend#979, a documented known issue). Only that
    attribute, on such a radio (`aria-controls` naming its reveal), is let through."""
    checks = node["all"] + node["any"]
    return (
        violation["id"] == "aria-allowed-attr"
        and 'class="govuk-radios__input"' in node["html"]
        and "aria-controls=" in node["html"]
        and bool(checks)
        and all("aria-expanded" in " ".join(map(str, check.get("data") or [])) for check in checks)
    )


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    violations = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at {' '.join(node['target'])}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
        if not govuk_conditional_reveal(violation, node)
    ]
    assert not violations, f"axe found on {page.url}:\n" + "\n".join(violations)


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_every_demo_user_signs_in_and_every_page_of_their_menu_is_accessible(demo_data, browser, live_server):
    """Each demo user, in a browser of their own: the sign-in form, their home page, then every page
    their menu offers, each opened (the menu offers nothing its user is refused) and checked by axe."""
    for username, full_name in DEMO_USERS:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        page = context.new_page()
        sign_in(page, username, DEMO_PASSWORD)

        expect(page).to_have_url(re.compile(r"/$"))
        expect(page.locator("h1")).to_have_text(f"Hello, {full_name.split()[0]}")
        expect(page.locator("header")).to_contain_text(full_name)
        expect(page).to_have_title(re.compile(r"^Home - "))
        assert_accessible(page)
        links = page.get_by_role("navigation", name="Menu").get_by_role("link")
        menu = [(links.nth(n).inner_text(), links.nth(n).get_attribute("href")) for n in range(links.count())]
        for label, href in menu[1:]:  # Home is the page above
            response = page.goto(href)
            assert response.status == 200, f"{username}'s menu offers {label} ({href}): {response.status}"
            expect(page.locator("h1")).to_be_visible()
            assert_accessible(page)
        context.close()


def test_the_sign_in_page_and_its_errors_are_accessible(demo_data, page):
    page.goto("/accounts/sign-in/")
    assert_accessible(page)

    sign_in(page, "lead.professional", "not-the-password")

    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value("lead.professional")
    assert_accessible(page)


def test_a_lead_professional_opens_a_case_and_adds_an_empty_note(demo_data, page):
    sign_in(page, "lead.professional", DEMO_PASSWORD)
    expect(page.locator("h1")).to_have_text("Hello, Leon")

    page.locator("main table a").first.click()

    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    assert_accessible(page)

    page.get_by_role("button", name="Add a note").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+/notes/add/$"))
    expect(page.locator("h1")).to_have_text("Add a note")
    assert_accessible(page)

    page.get_by_role("button", name="Save note").click()

    expect(page).to_have_title(re.compile(r"^Error: Add a note"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Choose what kind of note this is")
    expect(summary).to_contain_text("Enter a short summary of the note")
    # GOV.UK Frontend moves focus to the summary, which shows its JavaScript ran under our CSP.
    expect(summary).to_be_focused()
    assert_accessible(page)


def test_without_chromium_ci_fails_instead_of_skipping(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="No Chromium for the browser tests"):
        launch_chromium(playwright=None, executable=None)


def test_without_chromium_elsewhere_the_tests_skip(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    class MissingBrowser:
        def launch(self, **options):
            raise PlaywrightError("Executable doesn't exist at ~/.cache/ms-playwright/chromium/chrome")

    with pytest.raises(pytest.skip.Exception, match="No Chromium installed and no Playwright browser either"):
        launch_chromium(playwright=SimpleNamespace(chromium=MissingBrowser()), executable=None)
