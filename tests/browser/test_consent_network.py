"""A lead professional records a parent's consent with the signed form in a real browser (an empty
submit first: the GOV.UK error summary), downloads it from the case page, then adds a grandmother
beyond the household with a confidential address to the family network. axe-core checks every page
visited; the effects are read back."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Consent, FamilyMembership, Person
from tests.browser.test_roles import assert_accessible, sign_in
from tests.conftest import open_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"  # tests.factories.UserFactory's
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def go(page: Page, action) -> None:
    with page.expect_navigation():
        action()


def test_consent_with_a_signed_form_and_the_family_network(
    transactional_db, live_server, world, page: Page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(world)
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)

    sign_in(page, "lead", PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    go(page, lambda: page.get_by_role("link", name="Record consent").click())
    assert_accessible(page)
    go(page, lambda: page.get_by_role("button", name="Save consent").click())
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select who made the decision")
    expect(summary).to_contain_text("Select what the consent is for")
    assert_accessible(page)

    today = timezone.localdate()
    page.get_by_label(re.compile(re.escape(parent.full_name))).check()
    page.get_by_label("Early help assessment and support").check()
    page.get_by_label("Given", exact=True).check()
    page.locator('input[name="decided_on_0"]').fill(str(today.day))
    page.locator('input[name="decided_on_1"]').fill(str(today.month))
    page.locator('input[name="decided_on_2"]').fill(str(today.year))
    page.get_by_label("A signed form: upload it below").check()
    page.locator('input[name="evidence_file"]').set_input_files(
        files=[{"name": "signed.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    go(page, lambda: page.get_by_role("button", name="Save consent").click())
    expect(page.locator("body")).to_contain_text("Consent recorded")
    assert_accessible(page)
    consent = Consent.objects.get(case=case, scope=Consent.Scope.ASSESSMENT)
    assert consent.evidence_file.name.endswith(".pdf")
    download = page.request.get(f"/cases/{case.pk}/consent/{consent.pk}/evidence/")
    assert download.status == 200 and download.body() == PDF

    go(page, lambda: page.get_by_role("link", name=re.compile("See the family network")).click())
    expect(page.locator("h1")).to_have_text("Family network")
    assert_accessible(page)
    go(page, lambda: page.get_by_role("button", name="Add someone beyond the household").click())
    assert_accessible(page)
    page.get_by_label("First name").fill("Maureen")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Adult", exact=True).check()
    page.get_by_label("Female").check()
    page.get_by_label("Who in the family are they related to?").select_option(str(parent.pk))
    page.get_by_label("What are they to that person?").select_option("parent")
    page.locator('input[name="parental_responsibility"][value="no"]').check()
    page.get_by_label("Address (optional)", exact=True).fill("Flat 3, 18 Orchard Mews")
    page.locator('input[name="address_confidential"][value="yes"]').check()
    page.locator('input[name="do_not_contact"][value="no"]').check()
    go(page, lambda: page.get_by_role("button", name="Add to the family network").click())
    expect(page.locator("body")).to_contain_text("Maureen Okafor added to the family network")
    expect(page.locator("body")).to_contain_text("Flat 3, 18 Orchard Mews")
    assert_accessible(page)
    assert FamilyMembership.objects.get(person__first_name="Maureen").in_household is False
