"""Consent has consequences: a partner agency in the team around the family sees the family's
details only while the family's latest decision on sharing with that agency is "given". And a
consent decision is only recorded when it is complete and plausible."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.models import Consent, Family, FamilyMembership, Person
from tests.conftest import open_case
from tests.factories import PersonFactory

SURNAME = "Quenby"
ADDRESS = "7 Larkspur Row"
NOT_SHARED = "has not agreed to share"
COUNCIL_NOTE = "Council note: home visit, rent arrears discussed"
HEALTH_NOTE = "Health note: developmental check at 18 months"
SCHOOL_NOTE = "School note: attendance 82% this term"


@pytest.fixture
def shared(world):
    """A case led by the council, with the school and health practitioners in its team around the
    family, two parents, distinctive synthetic names, and a note written by each of the three
    agencies."""
    case = open_case(
        world,
        members=[
            (world.school_practitioner, "Designated safeguarding lead"),
            (world.health_practitioner, "Health visitor"),
        ],
    )
    Family.objects.filter(pk=case.family_id).update(name=f"{SURNAME} family", address_line_1=ADDRESS)
    people = Person.objects.filter(memberships__family_id=case.family_id)
    people.filter(kind=Person.Kind.ADULT).update(first_name="Ottoline", last_name=SURNAME)
    people.filter(kind=Person.Kind.CHILD).update(first_name="Peregrin", last_name=SURNAME)
    carer = PersonFactory(kind=Person.Kind.ADULT, first_name="Cordelia", last_name=SURNAME)
    FamilyMembership.objects.create(family_id=case.family_id, person=carer, parental_responsibility=True)
    for author, summary in [
        (world.lead, COUNCIL_NOTE),
        (world.health_practitioner, HEALTH_NOTE),
        (world.school_practitioner, SCHOOL_NOTE),
    ]:
        services.chronology_note_add(actor=author, case=case, summary=summary, body="")
    case.refresh_from_db()
    return SimpleNamespace(
        case=case,
        family=case.family,
        parent=people.get(first_name="Ottoline"),
        carer=carer,
        child=people.get(kind=Person.Kind.CHILD),
        details=[
            f"{SURNAME} family",
            "Ottoline",
            "Cordelia",
            "Peregrin",
            ADDRESS,
            *people.values_list("nhs_number", flat=True),
        ],
        nhs_numbers=sorted(people.values_list("nhs_number", flat=True)),
    )


def record_sharing(world, shared, status: str, agency=None, who: str = "parent") -> Consent:
    return services.consent_record(
        actor=world.lead,
        family=shared.family,
        person=getattr(shared, who),
        scope=Consent.Scope.SHARING,
        status=status,
        agency=agency or world.school,
        evidence=Consent.Evidence.VERBAL,
        method=Consent.Method.IN_PERSON,
        witness="Sam Patel, family support worker",
        decided_on=timezone.localdate(),
        case=shared.case,
    )


def shown(content: bytes, texts: list[str]) -> list[str]:
    page = content.decode()
    return [text for text in texts if text in page]


def chronology_summaries(response) -> set[str]:
    assert response.status_code == 200
    return {entry["summary"] for entry in response.json()["results"]}


# Each history is a list of (who decided, decision), oldest first.
VISIBLE = [
    pytest.param([("parent", "given")], id="given"),
    pytest.param([("parent", "refused"), ("parent", "given")], id="refused then given"),
    pytest.param([("parent", "given"), ("parent", "withdrawn"), ("parent", "given")], id="withdrawn then given again"),
    pytest.param([("parent", "given"), ("carer", "given")], id="both parents given"),
]
HIDDEN = [
    pytest.param([], id="no consent"),
    pytest.param([("parent", "refused")], id="refused"),
    pytest.param([("parent", "given"), ("parent", "withdrawn")], id="given then withdrawn"),
    pytest.param([("parent", "given"), ("parent", "refused")], id="given then refused"),
    pytest.param([("parent", "given"), ("carer", "refused")], id="one parent given, the other refused"),
    pytest.param([("parent", "given"), ("carer", "withdrawn")], id="one parent given, the other withdrew"),
]


@pytest.mark.parametrize("history", VISIBLE)
def test_school_sees_the_family_while_sharing_consent_is_given(world, client_for, shared, history):
    for who, status in history:
        record_sharing(world, shared, status, who=who)
    client = client_for(world.school_practitioner)

    page = client.get(f"/cases/{shared.case.pk}/")
    api = client.get(f"/api/v1/cases/{shared.case.pk}/").json()
    chronology = chronology_summaries(client.get(f"/api/v1/cases/{shared.case.pk}/chronology/"))

    assert page.status_code == 200
    assert NOT_SHARED not in page.content.decode()
    assert shown(page.content, shared.details) == shared.details
    assert shown(page.content, [COUNCIL_NOTE, HEALTH_NOTE, SCHOOL_NOTE]) == [COUNCIL_NOTE, HEALTH_NOTE, SCHOOL_NOTE]
    assert api["details_visible"] is True
    assert api["family"] == f"{SURNAME} family"
    assert sorted(person["nhs_number"] for person in api["people"]) == shared.nhs_numbers
    assert {COUNCIL_NOTE, HEALTH_NOTE, SCHOOL_NOTE} <= chronology
    assert client.get(f"/cases/people/{shared.child.pk}/").status_code == 200


@pytest.mark.parametrize("history", HIDDEN)
def test_school_sees_only_its_own_notes_without_given_consent(world, client_for, shared, history):
    for who, status in history:
        record_sharing(world, shared, status, who=who)
    client = client_for(world.school_practitioner)

    page = client.get(f"/cases/{shared.case.pk}/")
    api = client.get(f"/api/v1/cases/{shared.case.pk}/").json()
    chronology = client.get(f"/api/v1/cases/{shared.case.pk}/chronology/").json()["results"]

    assert page.status_code == 200
    assert NOT_SHARED in page.content.decode()
    assert shown(page.content, shared.details) == []
    assert shown(page.content, [COUNCIL_NOTE, HEALTH_NOTE, SCHOOL_NOTE]) == [SCHOOL_NOTE]
    assert api["details_visible"] is False
    assert api["family"] is None
    assert api["people"] == []
    assert {entry["summary"] for entry in chronology} == {SCHOOL_NOTE}
    assert {entry["author_agency"] for entry in chronology} == {world.school.name}
    assert client.get(f"/cases/people/{shared.child.pk}/").status_code == 404
    assert client.get(f"/cases/people/{shared.parent.pk}/").status_code == 404


@pytest.mark.parametrize("history", [*VISIBLE, *HIDDEN])
def test_lead_professional_always_sees_everything(world, client_for, shared, history):
    for who, status in history:
        record_sharing(world, shared, status, who=who)
    client = client_for(world.lead)

    page = client.get(f"/cases/{shared.case.pk}/")
    api = client.get(f"/api/v1/cases/{shared.case.pk}/").json()
    chronology = chronology_summaries(client.get(f"/api/v1/cases/{shared.case.pk}/chronology/"))

    assert NOT_SHARED not in page.content.decode()
    assert shown(page.content, shared.details) == shared.details
    assert shown(page.content, [COUNCIL_NOTE, HEALTH_NOTE, SCHOOL_NOTE]) == [COUNCIL_NOTE, HEALTH_NOTE, SCHOOL_NOTE]
    assert api["details_visible"] is True
    assert api["family"] == f"{SURNAME} family"
    assert sorted(person["nhs_number"] for person in api["people"]) == shared.nhs_numbers
    assert {COUNCIL_NOTE, HEALTH_NOTE, SCHOOL_NOTE} <= chronology


def test_withdrawing_consent_hides_the_family_at_once(world, client_for, shared):
    client = client_for(world.school_practitioner)
    record_sharing(world, shared, Consent.Status.GIVEN)
    assert shown(client.get(f"/cases/{shared.case.pk}/").content, shared.details) == shared.details

    record_sharing(world, shared, Consent.Status.WITHDRAWN)

    page = client.get(f"/cases/{shared.case.pk}/")
    assert NOT_SHARED in page.content.decode()
    assert shown(page.content, shared.details) == []
    assert client.get(f"/api/v1/cases/{shared.case.pk}/").json()["details_visible"] is False


def test_consent_to_share_with_another_agency_does_not_open_the_family_to_the_school(world, client_for, shared):
    record_sharing(world, shared, Consent.Status.GIVEN, agency=world.health)

    school = client_for(world.school_practitioner).get(f"/cases/{shared.case.pk}/")
    health = client_for(world.health_practitioner).get(f"/cases/{shared.case.pk}/")

    assert shown(school.content, shared.details) == []
    assert shown(health.content, shared.details) == shared.details


# The family's name is one of its details, so it must not reach the school through a list either.
@pytest.mark.parametrize("url", ["/", "/cases/", "/api/v1/cases/"])
def test_lists_do_not_name_the_family_to_an_agency_without_consent(world, client_for, shared, url):
    response = client_for(world.school_practitioner).get(url)

    assert response.status_code == 200
    assert shared.case.reference in response.content.decode()  # the school is in the team: the case is listed
    assert shown(response.content, shared.details) == [], f"{url} names the family without consent to share"


# --- Recording consent: what must hold -----------------------------------------------------------


def valid_consent(world, shared) -> dict:
    return {
        "actor": world.lead,
        "family": shared.family,
        "person": shared.parent,
        "scope": Consent.Scope.SHARING,
        "status": Consent.Status.GIVEN,
        "evidence": Consent.Evidence.WRITTEN,
        "agency": world.school,
        "decided_on": timezone.localdate(),
        "not_sought_reason": "",
        "case": shared.case,
    }


TOMORROW = object()
CHILD = object()
INVALID = [
    pytest.param(
        {"status": Consent.Status.NOT_SOUGHT, "evidence": ""},
        "not_sought_reason",
        "Enter why asking for consent would put a child at risk",
        id="not sought without a reason",
    ),
    pytest.param(
        {"status": Consent.Status.NOT_SOUGHT, "not_sought_reason": "   "},
        "not_sought_reason",
        "Enter why asking for consent would put a child at risk",
        id="not sought with a blank reason",
    ),
    pytest.param({"evidence": ""}, "evidence", "Select how consent was given", id="given without evidence"),
    pytest.param(
        {"person": CHILD},
        "person",
        "Select an adult with parental responsibility: a child under 11, or one whose date of birth is not known, "
        "cannot decide for themselves",
        id="a child under 11 giving consent",
    ),
    pytest.param(
        {"decided_on": TOMORROW},
        "decided_on",
        "The date of the decision must be today or in the past",
        id="decided in the future",
    ),
    pytest.param(
        {"agency": None},
        "agency",
        "Select the agency the family agreed to share information with",
        id="sharing without an agency",
    ),
]


@pytest.mark.parametrize("changes, field, message", INVALID)
def test_incomplete_consent_is_refused(world, shared, changes, field, message):
    stand_ins = {TOMORROW: timezone.localdate() + datetime.timedelta(days=1), CHILD: shared.child}
    kwargs = {**valid_consent(world, shared), **{key: stand_ins.get(value, value) for key, value in changes.items()}}

    with pytest.raises(ValidationError) as refused:
        services.consent_record(**kwargs)

    assert refused.value.message_dict[field] == [message]
    assert not Consent.objects.filter(family=shared.family).exists()


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="given with evidence"),
        pytest.param({"status": Consent.Status.REFUSED, "evidence": ""}, id="refused"),
        pytest.param(
            {
                "status": Consent.Status.NOT_SOUGHT,
                "evidence": "",
                "not_sought_reason": "Father is the risk",
                "scope": Consent.Scope.ASSESSMENT,
                "agency": None,
                "actor": "team_manager",
            },
            id="assessment not sought, with a reason, by a team manager",
        ),
        pytest.param({"scope": Consent.Scope.ASSESSMENT, "agency": None}, id="assessment needs no agency"),
    ],
)
def test_complete_consent_is_recorded(world, shared, changes):
    if "actor" in changes:
        changes = {**changes, "actor": getattr(world, changes["actor"])}
    consent = services.consent_record(**{**valid_consent(world, shared), **changes})

    assert Consent.objects.filter(family=shared.family).get() == consent
    assert consent.recorded_by == changes.get("actor", world.lead)


# --- The consent page after an error -------------------------------------------------------------


class FormValues(HTMLParser):
    """What a rendered form will submit: text inputs, checked radios, selected options, textareas."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "text":
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("type") == "radio" and "checked" in a:
            self.values[a["name"]] = a["value"]
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and "selected" in a:
            self.values[self._select] = a["value"]
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self.values[self._textarea] = self.values[self._textarea].strip()
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


IN_A_MONTH = timezone.localdate() + datetime.timedelta(days=30)
FORM_ERRORS = [
    pytest.param(
        {"status": "given", "evidence": "verbal", "not_sought_reason": "Typed by the lead professional"},
        IN_A_MONTH,
        "decided_on_0",
        "The date of the decision must be today or in the past",
        id="future date",
    ),
    pytest.param(
        {"status": "not_sought", "evidence": "", "not_sought_reason": ""},
        datetime.date(2025, 3, 9),
        "not_sought_reason",
        "Enter why asking for consent would put a child at risk",
        id="not sought without a reason",
    ),
    pytest.param(
        {"status": "given", "evidence": "", "not_sought_reason": "Typed by the lead professional"},
        datetime.date(2025, 3, 9),
        "evidence_1",
        "Select how the consent given is recorded",
        id="given without evidence",
    ),
]


@pytest.mark.parametrize("typed, decided_on, anchor, message", FORM_ERRORS)
def test_consent_page_shows_the_error_and_keeps_what_was_typed(
    world, client_for, shared, typed, decided_on, anchor, message
):
    data = {
        "person": str(shared.parent.pk),
        "scope": "sharing",
        "agency": str(world.school.pk),
        "decided_on_0": str(decided_on.day),
        "decided_on_1": str(decided_on.month),
        "decided_on_2": str(decided_on.year),
        **typed,
    }

    # As the team manager, whose form asks every question ("not sought" is theirs to decide).
    response = client_for(world.team_manager).post(f"/cases/{shared.case.pk}/consent/add/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.split("<title>")[1].startswith("Error: ")
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert f'<a href="#id_{anchor}">{message}</a>' in summary
    values = FormValues(html).values
    assert {name: values.get(name, "") for name in data} == data
    assert not Consent.objects.filter(family=shared.family).exists()


def test_consent_page_records_a_complete_decision(world, client_for, shared):
    today = timezone.localdate()
    data = {
        "person": str(shared.parent.pk),
        "scope": "sharing",
        "agency": str(world.school.pk),
        "status": "given",
        "evidence": "verbal",
        "method": "in_person",
        "witness": "Sam Patel, family support worker",
        "decided_on_0": str(today.day),
        "decided_on_1": str(today.month),
        "decided_on_2": str(today.year),
    }

    response = client_for(world.lead).post(f"/cases/{shared.case.pk}/consent/add/", data)

    assert response.status_code == 302
    consent = Consent.objects.get(family=shared.family)
    assert (consent.status, consent.agency, consent.case) == ("given", world.school, shared.case)
    assert client_for(world.school_practitioner).get(f"/api/v1/cases/{shared.case.pk}/").json()["details_visible"]


def test_an_agency_that_cannot_see_the_family_cannot_record_its_consent(world, client_for, shared):
    today = timezone.localdate()
    data = {
        "person": str(shared.parent.pk),
        "scope": "sharing",
        "agency": str(world.school.pk),
        "status": "given",
        "evidence": "written",
        "decided_on_0": str(today.day),
        "decided_on_1": str(today.month),
        "decided_on_2": str(today.year),
    }
    client = client_for(world.school_practitioner)

    assert client.get(f"/cases/{shared.case.pk}/consent/add/").status_code == 404
    assert client.post(f"/cases/{shared.case.pk}/consent/add/", data).status_code == 404
    assert not Consent.objects.filter(family=shared.family).exists()
