"""The triage page as a busy duty manager reads it: a heading that names the family, a contents list
that leads to each section, and a number of queries that does not grow with the people named."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from front_door import services
from front_door.models import DecisionOutcome
from front_door.services import PersonData
from tests.factories import PersonFactory


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.h1 = ""
        self._in_h1 = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.links.append(attrs["href"][1:])
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


def triage_url(referral) -> str:
    return reverse("front_door:triage", args=[referral.pk])


def test_the_heading_names_the_family_and_the_contents_lead_to_each_section(world, client_for, submit_referral):
    referral = submit_referral()

    content = client_for(world.duty_manager).get(triage_url(referral)).content.decode()

    page = Page(content)
    assert page.h1.strip() == f"Okafor family: referral {referral.reference}"
    contents = content[content.index('aria-labelledby="contents-title"') :].split("</nav>")[0]
    targets = [href.split('"')[0] for href in contents.split('href="#')[1:]]
    assert targets == ["referral", "people", "history", "decision"]
    assert set(targets) <= page.ids
    assert content.index('id="contents-title"') < content.index('id="referral"')


def test_the_heading_names_a_linked_family_by_its_record(world, client_for, submit_referral):
    referral = submit_referral()
    services.referral_decide(
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.MORE_INFORMATION,
        level_of_need=world.level3,
        reason="Ask health.",
        information_requests=[(world.health, "Known?")],
        confirm_new_people=True,
    )
    referral.refresh_from_db()
    referral.family.name = "Okafor-Brown family"
    referral.family.save(update_fields=["name"])

    content = client_for(world.duty_manager).get(triage_url(referral)).content.decode()

    assert Page(content).h1.strip() == f"Okafor-Brown family: referral {referral.reference}"
    assert 'href="#partners"' in content


def people(count: int) -> list[PersonData]:
    return [
        PersonData(
            kind="child",
            first_name=f"Child{n}",
            last_name="Okafor",
            date_of_birth=datetime.date(2015, 1, 1 + n),
            school="Hill School",
        )
        for n in range(count)
    ]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_triage_page_takes_the_same_queries_for_one_person_or_eight(world, client_for, submit_referral):
    client = client_for(world.duty_manager)
    # Known people who match by name and date of birth, so each unlinked child has candidates.
    for n in range(8):
        PersonFactory(first_name=f"Child{n}", last_name="Okafor", date_of_birth=datetime.date(2015, 1, 1 + n))
    one = submit_referral(people=people(1))
    eight = submit_referral(people=people(8), referrer=world.health_practitioner)

    assert count_queries(client, triage_url(one)) == count_queries(client, triage_url(eight))
