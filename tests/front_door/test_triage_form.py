"""The decision form on the triage page is rendered like every other form (crispy-forms-gds): a
select is a select, a field keeps its maxlength and autocomplete, hidden fields are sent, and what a
duty manager typed or chose survives an error with each error tied to its field and linked from
the error summary."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

from django import forms
from django.urls import reverse
from django.utils import timezone

from front_door import triage_views
from front_door.models import DecisionOutcome
from front_door.triage_forms import DecisionForm


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes, in order."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def named(self, name: str) -> list[tuple[str, dict[str, str | None]]]:
        return [(tag, attrs) for tag, attrs in self.found if attrs.get("name") == name]

    def by_id(self, element_id: str) -> tuple[str, dict[str, str | None]]:
        (found,) = [(tag, attrs) for tag, attrs in self.found if attrs.get("id") == element_id]
        return found

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.found if attrs.get("id")}

    def summary_links(self) -> list[str]:
        return [
            attrs["href"][1:]
            for tag, attrs in self.found
            if tag == "a" and (attrs.get("href") or "").startswith("#id_")
        ]


class DecisionFormWithMore(DecisionForm):
    """The decision form with the kinds of field it does not have today, so the page's renderer
    is tested for every kind a later question may bring."""

    team = forms.ChoiceField(
        label="Which team?", choices=[("", "Choose a team"), ("north", "North"), ("south", "South")]
    )
    contact_name = forms.CharField(
        label="Who should the team contact?",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        required=False,
    )
    version = forms.CharField(widget=forms.HiddenInput, initial="7", required=False)


def triage_url(referral) -> str:
    return reverse("front_door:triage", args=[referral.pk])


def more_fields_page(world, client_for, submit_referral, monkeypatch) -> Elements:
    monkeypatch.setattr(triage_views, "DecisionForm", DecisionFormWithMore)
    referral = submit_referral()
    return Elements(client_for(world.duty_manager).get(triage_url(referral)).content.decode())


def test_a_select_is_a_select(world, client_for, submit_referral, monkeypatch):
    page = more_fields_page(world, client_for, submit_referral, monkeypatch)

    assert page.named("team") == [("select", {"name": "team", "class": "govuk-select", "id": "id_team"})]


def test_a_text_field_keeps_its_maxlength_and_autocomplete(world, client_for, submit_referral, monkeypatch):
    page = more_fields_page(world, client_for, submit_referral, monkeypatch)

    (_, contact) = page.by_id("id_contact_name")
    assert contact["maxlength"] == "40"
    assert contact["autocomplete"] == "name"


def test_a_hidden_field_is_sent(world, client_for, submit_referral, monkeypatch):
    page = more_fields_page(world, client_for, submit_referral, monkeypatch)

    assert page.named("version") == [("input", {"type": "hidden", "name": "version", "value": "7", "id": "id_version"})]


def test_the_decision_form_is_radios_checkboxes_a_textarea_and_a_date(world, client_for, submit_referral):
    referral = submit_referral()

    page = Elements(client_for(world.duty_manager).get(triage_url(referral)).content.decode())

    outcomes = page.named("outcome")
    assert [attrs["type"] for _, attrs in outcomes] == ["radio"] * len(DecisionOutcome.choices)
    assert [attrs["value"] for _, attrs in outcomes] == [value for value, _ in DecisionOutcome.choices]
    assert page.by_id("id_outcome_1")[1]["name"] == "outcome"
    (_, level3) = next(
        (tag, attrs) for tag, attrs in page.named("level_of_need") if attrs["value"] == str(world.level3.pk)
    )
    assert "checked" in level3  # the referrer's view of the level of need, chosen to start with
    agencies = page.named("agencies")
    assert {attrs["type"] for _, attrs in agencies} == {"checkbox"}
    assert str(world.health.pk) in {attrs["value"] for _, attrs in agencies}
    assert page.by_id("id_reason")[0] == "textarea"
    assert [page.by_id(f"id_due_on_{n}")[1]["name"] for n in range(3)] == ["due_on_0", "due_on_1", "due_on_2"]
    (form,) = [attrs for tag, attrs in page.found if tag == "form" and "novalidate" in attrs]
    assert form["method"] == "post"


def test_a_refused_decision_keeps_every_answer_and_ties_each_error_to_its_field(world, client_for, submit_referral):
    referral = submit_referral()
    next_year = timezone.localdate().year + 1

    response = client_for(world.duty_manager).post(
        triage_url(referral),
        {
            "outcome": DecisionOutcome.MORE_INFORMATION,
            "level_of_need": world.level3.pk,
            "reason": "",
            "agencies": [world.health.pk],
            "question": "Known to you? <b>Worried?</b>",
            "due_on_0": "31",
            "due_on_1": "2",
            "due_on_2": str(next_year),
        },
    )

    content = response.content.decode()
    page = Elements(content)
    assert response.status_code == 200
    (_, more_information) = next(
        (tag, attrs) for tag, attrs in page.named("outcome") if attrs["value"] == DecisionOutcome.MORE_INFORMATION
    )
    assert "checked" in more_information
    assert [attrs["value"] for _, attrs in page.named("agencies") if "checked" in attrs] == [str(world.health.pk)]
    assert "Known to you? &lt;b&gt;Worried?&lt;/b&gt;</textarea>" in content  # kept, and escaped
    assert [page.by_id(f"id_due_on_{n}")[1]["value"] for n in range(3)] == ["31", "2", str(next_year)]
    assert "Enter the reason for the decision" in content
    assert "The date the answers are due must be a real date" in content
    # Every link of the error summary lands on a field of the page, and that field names its error.
    links = page.summary_links()
    assert links == ["id_due_on_0", "id_reason"]  # in the order of the page: the date is revealed under MASH
    assert page.ids() >= set(links)
    described_by = page.by_id("id_reason")[1]["aria-describedby"].split()
    assert "govuk-error-message" in {page.by_id(i)[1].get("class") for i in described_by}


def test_a_filled_in_decision_form_is_sent_back_as_it_was_typed(world, client_for, submit_referral):
    """What the page shows is what it posts: a MASH decision made from the rendered form's own
    field names is recorded."""
    referral = submit_referral()
    due_on = timezone.localdate() + datetime.timedelta(days=3)
    client = client_for(world.duty_manager)
    page = Elements(client.get(triage_url(referral)).content.decode())
    names = {attrs["name"] for tag, attrs in page.found if tag in {"input", "textarea", "select"} and attrs.get("name")}

    response = client.post(
        triage_url(referral),
        {
            "outcome": DecisionOutcome.MORE_INFORMATION,
            "level_of_need": world.level3.pk,
            "reason": "Ask health.",
            "agencies": [world.health.pk],
            "question": "Known to you?",
            "due_on_0": due_on.day,
            "due_on_1": due_on.month,
            "due_on_2": due_on.year,
            "confirm_new_people": "on",
        },
    )

    assert {"outcome", "level_of_need", "reason", "agencies", "question", "due_on_0", "due_on_1", "due_on_2"} <= names
    assert "confirm_new_people" in names
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "more_information"
