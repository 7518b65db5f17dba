"""The administrator's "could not confirm" list of the outbox, its change page and the page after
an action pass axe-core, like the service's own pages (any finding fails)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Notification
from tests.browser.test_roles import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"


def test_the_could_not_confirm_list_its_actions_and_a_message_pass_axe(transactional_db, page: Page):
    UserFactory(username="root", is_superuser=True, is_staff=True)
    rows = [
        Notification.objects.create(
            dedupe_key=f"unconfirmed-{n}",
            email=f"practitioner.{n}@example.org",
            subject=f"Due soon: Front door decision for EH-2026-00000{n}",
            body="A deadline is due.",
            status=Notification.Status.UNCONFIRMED,
            channel=Notification.Channel.EMAIL,
            claimed_at=timezone.now() - datetime.timedelta(hours=1),
            attempts=1,
        )
        for n in range(2)
    ]
    page.goto("/admin/login/?next=/admin/cases/notification/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Could not confirm").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    assert_accessible(page)

    page.get_by_role("checkbox", name=f"Select this object for an action - {rows[0].subject}").check()
    page.locator("select[name=action]").select_option(label="Mark as sent (checked: it went)")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 message marked as sent")
    assert_accessible(page)

    page.goto(f"/admin/cases/notification/{rows[1].pk}/change/")
    expect(page.locator("#content")).to_contain_text(f"earlyhelp-outbox-{rows[1].pk}@example.org")
    assert_accessible(page)
