"""The Django admin's configuration pages, which a council's administrator uses to set levels of
need, destinations, closure reasons, agency types and timescales, pass axe-core like the service's
own pages: each list (with its editable columns) and each change form, with any finding failing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cases.models import AgencyType, ClosureReason, Destination, LevelOfNeed, Timescale
from tests.browser.test_roles import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"
CONFIGURATION = [
    ("levelofneed", LevelOfNeed),
    ("destination", Destination),
    ("closurereason", ClosureReason),
    ("agencytype", AgencyType),
    ("timescale", Timescale),
]


@pytest.fixture
def administrator_page(transactional_db, page: Page) -> Page:
    UserFactory(username="root", is_superuser=True, is_staff=True)
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    return page


@pytest.mark.parametrize(("model_name", "model"), CONFIGURATION, ids=[name for name, _ in CONFIGURATION])
def test_the_configuration_list_and_change_form_pass_axe(administrator_page, model_name, model):
    page = administrator_page
    first = model.objects.order_by("pk").first()

    page.goto(f"/admin/cases/{model_name}/")
    editable = page.locator("#result_list input:not([type=hidden]):not([type=checkbox]), #result_list select")
    assert editable.count() > 0  # the editable columns are there, each named for a screen reader
    assert_accessible(page)

    page.goto(f"/admin/cases/{model_name}/{first.pk}/change/")
    assert_accessible(page)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/cases/user/",
        "/admin/cases/user/add/",
        "/admin/cases/agency/",
        "/admin/cases/team/",
        "/admin/cases/locality/",
        "/admin/cases/bankholiday/",
        "/admin/cases/accesslog/",
        "/admin/auth/group/",
        "/admin/assessments/outcometool/",
        "/admin/assessments/outcometool/add/",
        "/admin/cases/outcomeframework/",
        "/admin/cases/outcomeframework/add/",
        "/admin/cases/identifiedneed/",
    ],
)
def test_the_other_administration_pages_pass_axe(administrator_page, url):
    administrator_page.goto(url)

    assert_accessible(administrator_page)


def test_an_editable_column_is_named_by_its_row(administrator_page):
    page = administrator_page
    level = LevelOfNeed.objects.get(code="level-3")

    page.goto("/admin/cases/levelofneed/")

    expect(page.get_by_label(f"Sort order of {level.name}")).to_have_value(str(level.sort_order))
    expect(page.get_by_label(f"Active: {level.name}")).to_be_checked()


def test_an_outcome_tools_change_form_with_its_areas_passes_axe(administrator_page):
    from assessments.models import OutcomeTool

    tool = OutcomeTool.objects.order_by("pk").first()

    administrator_page.goto(f"/admin/assessments/outcometool/{tool.pk}/change/")

    assert_accessible(administrator_page)
