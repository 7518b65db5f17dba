"""A subject access request in a real browser: the administrator opens the menu's "Subject access
requests", finds the child by name, records who asked and when, withholds a case note for a reason,
marks the request checked, makes the export and downloads it. axe-core checks every page visited; the
downloaded zip is read back (the note withheld in the JSON and the PDF)."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cases import services as case_services
from cases.models import Person
from outcomes.exports import tasks
from outcomes.subject_access.models import Redaction, SubjectAccessRequest
from tests.browser.test_roles import assert_accessible, sign_in
from tests.conftest import open_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-test-password-42"  # tests.factories.UserFactory's
NOTE = "Neighbour reported shouting late at night"


def go(page: Page, action) -> None:
    with page.expect_navigation():
        action()


def test_an_administrator_withholds_a_note_and_makes_the_export(
    transactional_db, live_server, world, page: Page, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.run_export, "delay", tasks.run_export)  # the worker, in place
    case = open_case(world)
    case_services.chronology_note_add(actor=world.lead, case=case, summary=NOTE, body="Told by the neighbour.")
    child = Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)

    sign_in(page, "administrator", PASSWORD)
    go(page, lambda: page.get_by_role("link", name="Subject access requests").click())
    expect(page.locator("h1")).to_have_text("Subject access requests")
    assert_accessible(page)
    go(page, lambda: page.get_by_role("link", name="Open a request").click())
    assert_accessible(page)
    page.get_by_label("Name").fill(child.full_name)
    go(page, lambda: page.get_by_role("button", name="Find").click())
    assert_accessible(page)
    go(page, lambda: page.get_by_role("link", name=child.full_name).click())
    assert_accessible(page)
    go(page, lambda: page.get_by_role("button", name="Open the request").click())  # empty: errors first
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    page.get_by_label("Who asked for the information?").fill("The child's mother, with parental responsibility")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    go(page, lambda: page.get_by_role("button", name="Open the request").click())
    sar = SubjectAccessRequest.objects.get()
    expect(page.locator("main")).to_contain_text("2 December 2026")  # due one calendar month later
    assert_accessible(page)

    go(page, lambda: page.get_by_role("link", name="Chronology and case notes").click())
    assert_accessible(page)
    while not page.get_by_text(NOTE).count():  # oldest first: the note is on the last page
        go(page, lambda: page.get_by_role("link", name="Next page").click())
    page.get_by_label(f"Select {NOTE}").check()
    page.get_by_label("Would be likely to cause serious harm").check()
    go(page, lambda: page.get_by_role("button", name="Withhold selected items").click())
    expect(page.locator("body")).to_contain_text("1 item withheld")
    assert_accessible(page)
    assert Redaction.objects.filter(request=sar, item_type="chronology").count() == 1

    go(page, lambda: page.get_by_role("link", name="Back to the request").click())
    go(page, lambda: page.get_by_role("button", name="I have checked every item").click())
    expect(page.locator("body")).to_contain_text("Request ready to export")
    assert_accessible(page)
    go(page, lambda: page.get_by_role("button", name="Make the export").click())
    assert_accessible(page)
    page.reload()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download ")).click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    data = json.loads(archive.read("subject-access.json"))
    text = " ".join(leaf.extract_text() for leaf in PdfReader(io.BytesIO(archive.read("subject-access.pdf"))).pages)
    assert NOTE not in json.dumps(data) and NOTE not in text
    assert any(w["type"] == "chronology" and w["reason"] == "serious_harm" for w in data["withheld"])
    assert "Withheld: Would be likely to cause serious harm" in " ".join(text.split())
