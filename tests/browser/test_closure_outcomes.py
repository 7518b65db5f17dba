"""Closing a case in a real browser: the lead professional asks to close it (an empty submit first:
one GOV.UK error summary for the move's questions and each need's), answering each need's outcome
with its evidence, where the family goes and its feedback; the team manager signs it off, opens the
dashboard, follows its navigation to the Outcomes section and downloads the Ofsted inspection
lists. axe-core checks every page visited; the effects are read back."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from cases import needs as case_needs
from cases.models import CaseStatus, OutcomeArea
from outcomes.exports import tasks
from outcomes.models import Closure, ClosureStatus
from tests.browser.test_roles import assert_accessible, sign_in
from tests.conftest import open_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"  # tests.factories.UserFactory's


def go(page: Page, action) -> None:
    with page.expect_navigation():
        action()


def test_a_closure_with_its_outcomes_signed_off_then_the_dashboard_and_the_inspection_lists(
    transactional_db, live_server, world, page: Page, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.run_export, "delay", tasks.run_export)  # the worker, in place
    case = open_case(world)
    areas = list(OutcomeArea.objects.filter(framework__active=True).order_by("position")[:2])
    for area, what in zip(areas, ("Misses school on Mondays", "Rent arrears"), strict=True):
        case_needs.need_record(actor=world.lead, case=case, area=area, description=what)

    sign_in(page, "lead", PASSWORD)
    page.goto(f"/cases/{case.pk}/request_closure/")
    assert_accessible(page)
    go(page, lambda: page.get_by_role("button", name="Continue").click())
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_have_count(1)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say whether the outcome of need 2 was achieved")
    assert_accessible(page)
    page.get_by_label("Outcomes met").check()
    page.get_by_label("Summary of progress").fill("Both needs met and held for a term.")
    for number in (1, 2):
        need = page.get_by_role("group", name=re.compile(f"^Need {number}:"))
        need.get_by_label("Yes, achieved").check()
        need.get_by_label("The evidence").fill(f"Evidence for need {number}")
    page.get_by_label("Universal services only (school, GP, health visitor)").check()
    for question in ("timely and helpful", "lead professional", "story once"):
        page.get_by_role("group", name=re.compile(question)).get_by_label("Yes").check()
    go(page, lambda: page.get_by_role("button", name="Continue").click())
    expect(page.locator("body")).to_contain_text("Closure requested")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, "manager", PASSWORD)
    page.goto(f"/cases/{case.pk}/sign_off_closure/")
    expect(page.locator("main")).to_contain_text("Evidence for need 2")
    assert_accessible(page)
    page.get_by_role("group", name="Was the family's progress significant and sustained?").get_by_label("Yes").check()
    go(page, lambda: page.get_by_role("button", name="Continue").click())
    expect(page.locator("#closure-outcomes")).to_be_visible()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert Closure.objects.get(case=case).status == ClosureStatus.SIGNED_OFF

    go(page, lambda: page.get_by_role("link", name="Dashboard").click())
    expect(page.locator("h1")).to_have_text("Early help dashboard")
    sections = page.get_by_role("navigation", name="Dashboard sections")
    expect(sections.locator('[aria-current="page"]')).to_have_text("Timeliness")
    assert_accessible(page)
    # The closure's figures are on the Outcomes section's page: its link followed by keyboard.
    sections.get_by_role("link", name="Outcomes").focus()
    go(page, lambda: page.keyboard.press("Enter"))
    expect(page).to_have_title(re.compile(r"^Dashboard: Outcomes "))
    expect(sections.locator('[aria-current="page"]')).to_have_text("Outcomes")
    expect(page.locator("h2", has_text="Outcomes")).to_be_visible()
    expect(page.get_by_role("region", name="Cases closed by reason")).to_contain_text("Outcomes met")
    assert_accessible(page)

    page.goto("/exports/annex-a/")
    assert_accessible(page)
    page.locator('input[name="inspection_date_0"]').fill("3")
    page.locator('input[name="inspection_date_1"]').fill("3")
    page.locator('input[name="inspection_date_2"]').fill("2027")
    page.get_by_label("Excel workbook (.xlsx)").check()
    go(page, lambda: page.locator("main [type=submit]").click())
    assert_accessible(page)
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download ")).click()
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    assert workbook.sheetnames == ["List 1", "List 2", "List 3"]
