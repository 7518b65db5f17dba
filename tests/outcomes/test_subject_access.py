"""Subject access: a request opened for one child by an administrator, what the export holds (every
kind of record, read back from the JSON and the PDF), what it withholds (a withheld item's content in
neither file, "[Withheld: reason]" in its place and the withheld list naming it with its reason),
who may use the pages (administrators only, every other user 403 on every route), the audit rows,
the statutory due date, a fixed number of queries per page, and a long access log made in chunks."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import FamilyGroupConference
from cases import services as case_services
from cases.models import AccessLog, Person, Relationship
from cases.roles import Role
from front_door import services as front_door_services
from front_door.letters import letter_create_and_send
from front_door.models import Channel, DecisionOutcome, Handover, InformationRequest, ReferralPerson
from front_door.services import PersonData
from outcomes.exports import tasks
from outcomes.exports.models import Export, ExportStatus
from outcomes.subject_access import selectors, services
from outcomes.subject_access.models import (
    ItemType,
    Redaction,
    SubjectAccessRequest,
    WithholdReason,
    one_month_after,
)
from tests.assessments.test_assessment_services import consent, submitted
from tests.assessments.test_review_services import agreed_plan, review
from tests.assessments.test_taf_services import plan_meeting
from tests.conftest import VIEWERS, open_case
from tests.factories import UserFactory

NOTE = "Visited the family at home; mornings calmer"
NOTE_BODY = "Aunt Bea said the neighbour shouts at night."
CONCERNS = "Often late to school and tired in class."
QUESTION = "Is the family known to health visiting?"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker(monkeypatch):
    """The Celery worker: a queued `run_export` runs as the worker would run it."""
    ran = []

    def delay(export_id):
        ran.append(export_id)
        return tasks.run_export(export_id)

    monkeypatch.setattr(tasks.run_export, "delay", delay)
    return ran


@pytest.fixture
def held(world):
    """A child with everything: a family (with a parent), a referral naming them with its decision and
    letter, a case with a note, a submitted assessment with a need, an agreed plan, a TAF meeting, a
    review, a consent decision, and views of their record in the access log."""
    case = open_case(world, members=[(world.school_practitioner, "Class teacher")])
    submitted(case)
    plan = agreed_plan(case)
    plan_meeting(case)
    review(case, plan)
    consent(case)
    note = case_services.chronology_note_add(actor=world.lead, case=case, summary=NOTE, body=NOTE_BODY)
    child = Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    referral = front_door_services.referral_receive(
        channel=Channel.PRACTITIONER,
        actor=world.school_practitioner,
        people=[
            PersonData(
                kind="child",
                first_name=child.first_name,
                last_name=child.last_name,
                date_of_birth=child.date_of_birth,
                nhs_number="",
            )
        ],
        concerns=CONCERNS,
        consent_given=True,
        level_of_need=world.level3,
        address_line_1="1 Mill Lane",
        town="Exton",
        postcode="EX1 1AB",
    )
    decision = front_door_services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.STEP_UP,
        level_of_need=world.level3,
        reason="Threshold met.",
    )
    letter = letter_create_and_send(decision_id=decision.pk)
    # The referral names the child (as the front door's match would link it).
    ReferralPerson.objects.filter(referral=referral).update(person=child)
    AccessLog.objects.create(user=world.lead, action="view", record_type="case", record_id=case.pk, case=case)
    AccessLog.objects.create(
        user=world.duty_manager, action="view", record_type="person", record_id=child.pk, person=child
    )
    InformationRequest.objects.create(
        referral=referral,
        agency=world.health,
        question=QUESTION,
        requested_by=world.duty_manager,
        due_at=timezone.now() + datetime.timedelta(days=2),
    )
    Handover.objects.create(
        referral=referral, direction="step_down", case=case, reason="Stepped down from social care."
    )
    FamilyGroupConference.objects.create(
        case=case, offered_on=timezone.localdate(), recorded_by=world.lead, attended="Grandmother and aunt"
    )
    relationship = Relationship.objects.create(person=child, related_person=parent, kind=Relationship.Kind.PARENT)
    referral.refresh_from_db()
    return {
        "case": case,
        "child": child,
        "parent": parent,
        "note": note,
        "referral": referral,
        "letter": letter,
        "relationship": relationship,
    }


def open_request(client, person, *, received=None) -> SubjectAccessRequest:
    received = received or timezone.localdate()
    response = client.post(
        reverse("subject_access:new") + f"?person={person.pk}",
        {
            "requester": "The person's mother, with parental responsibility",
            "received_on_0": str(received.day),
            "received_on_1": str(received.month),
            "received_on_2": str(received.year),
        },
    )
    sar = SubjectAccessRequest.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("subject_access:request", args=[sar.pk])
    return sar


def make_export(client, sar, django_capture_on_commit_callbacks) -> Export:
    assert client.post(reverse("subject_access:request-status", args=[sar.pk]), {"move": "ready"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subject_access:request-export", args=[sar.pk]))
    export = Export.objects.get(pk=SubjectAccessRequest.objects.get(pk=sar.pk).export_id)
    assert response["Location"] == reverse("exports:export", args=[export.pk])
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    return export


def download(client, export) -> zipfile.ZipFile:
    response = client.get(reverse("exports:export-download", args=[export.pk]))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read(archive: zipfile.ZipFile) -> tuple[dict, str, list[str]]:
    data = json.loads(archive.read("subject-access.json"))
    pages = [
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(archive.read("subject-access.pdf"))).pages
    ]
    return data, " ".join(pages), pages


def items_of(data: dict) -> dict[tuple[str, int], dict]:
    return {(item["type"], item["id"]): item for group in data["groups"] for item in group["items"]}


def test_the_export_holds_everything_about_the_person(
    world, held, client_for, worker, django_capture_on_commit_callbacks
):
    client = client_for(world.administrator)
    sar = open_request(client, held["child"])
    export = make_export(client, sar, django_capture_on_commit_callbacks)

    archive = download(client, export)
    data, text, pages = read(archive)
    items = items_of(data)

    case = held["case"]
    kinds = {item_type for item_type, _ in items}
    for kind in (
        ItemType.PERSON,
        ItemType.FAMILY,
        ItemType.RELATIONSHIP,
        ItemType.REFERRAL,
        ItemType.DECISION,
        ItemType.LETTER,
        ItemType.CASE,
        ItemType.CHRONOLOGY,
        ItemType.CONSENT,
        ItemType.ASSESSMENT,
        ItemType.ASSESSMENT_SECTION,
        ItemType.NEED,
        ItemType.PLAN,
        ItemType.PLAN_ACTION,
        ItemType.TAF_MEETING,
        ItemType.REVIEW,
        ItemType.READING,
        ItemType.INFORMATION_REQUEST,
        ItemType.HANDOVER,
        ItemType.CONFERENCE,
    ):
        assert kind in kinds, kind
    assert items[(ItemType.PERSON, held["child"].pk)]["fields"]["NHS number"] == held["child"].nhs_number
    assert items[(ItemType.CHRONOLOGY, held["note"].pk)]["fields"]["Note"] == NOTE_BODY
    assert items[(ItemType.REFERRAL, held["referral"].pk)]["fields"]["Concerns"] == CONCERNS
    assert (ItemType.LETTER, held["letter"].pk) in items
    assert (ItemType.RELATIONSHIP, held["relationship"].pk) in items
    assert f"letters/letter-{held['letter'].pk}.pdf" in archive.namelist()
    assert archive.read(f"letters/letter-{held['letter'].pk}.pdf") == bytes(held["letter"].pdf)
    whats = {row["what"] for row in data["access_log"]}
    assert "Viewed the case" in whats and "Viewed the person's record" in whats
    assert data["request"]["due_on"] == sar.due_on.isoformat()
    # The parent (another person) is withheld when the request is opened.
    assert items[(ItemType.PERSON, held["parent"].pk)] == {
        "type": "person",
        "id": held["parent"].pk,
        "withheld": "[Withheld: Names or identifies a third party who has not consented]",
        "reason": "third_party",
    }
    assert {"type": "person", "id": held["parent"].pk} in [{"type": w["type"], "id": w["id"]} for w in data["withheld"]]

    for page in pages:
        assert "OFFICIAL-SENSITIVE" in page and sar.reference in page
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Contents" in pages[0]
    for group in selectors.GROUPS:
        assert group.title in text, group.title
    for words in (
        held["child"].full_name,
        held["child"].nhs_number,
        case.reference,
        held["referral"].reference,
        NOTE,
        "Threshold met.",
        "Sleep routine",  # the assessment's need
        "I like football but I get tired",  # the child's voice in the assessment
        "Why does the family need an early help assessment?",  # its questions, in words
        world.level3.name,
        "Breakfast club place",  # a plan action
        "Good progress on school mornings.",  # the review
        "Hill School meeting room",  # the TAF meeting
        QUESTION,  # the request to a partner agency
        "Stepped down from social care.",  # the handover
        "Grandmother and aunt",  # the family group conference
        "Family Star Plus",  # the outcome tool reading
        "Early help assessment and support",  # the consent
        "Who has viewed the record",
        "What we have withheld and why",
    ):
        assert words in text, words
    assert held["parent"].nhs_number not in text
    sections = [item for (kind, _), item in items.items() if kind == ItemType.ASSESSMENT_SECTION]
    assert "level-3" not in json.dumps(sections)  # codes in words


def test_a_withheld_item_is_in_neither_file_and_the_withheld_list_says_why(
    world, held, client_for, worker, django_capture_on_commit_callbacks
):
    client = client_for(world.administrator)
    sar = open_request(client, held["child"])
    url = reverse("subject_access:request-items", args=[sar.pk])
    note_key = f"chronology:{held['note'].pk}"

    page = client.get(url + "?group=chronology&page=999").content.decode()  # oldest first: the note is the last
    assert NOTE in page and 'value="' + note_key + '"' in page
    response = client.post(
        url + "?group=chronology&page=999",
        {"group": "chronology", "items": [note_key], "action": "withhold", "reason": WithholdReason.SERIOUS_HARM},
    )
    assert response.status_code == 302
    redaction = Redaction.objects.get(request=sar, item_type="chronology")
    assert (redaction.item_id, redaction.reason, redaction.marked_by) == (
        held["note"].pk,
        WithholdReason.SERIOUS_HARM,
        world.administrator,
    )
    export = make_export(client, sar, django_capture_on_commit_callbacks)

    data, text, _pages = read(download(client, export))

    raw = json.dumps(data)
    for hidden in (NOTE, NOTE_BODY):
        assert hidden not in raw and hidden not in text, hidden
    # The request's page names the note by its summary (kept on the redaction); the export's
    # withheld list does not (kind, date and reason only), nor do the export's parameters.
    assert redaction.title == NOTE and NOTE not in json.dumps(export.parameters)
    assert set(data["withheld"][0]) == {"type", "id", "reason", "reason_words", "date"}
    assert items_of(data)[(ItemType.CHRONOLOGY, held["note"].pk)]["withheld"] == (
        "[Withheld: Would be likely to cause serious harm]"
    )
    withheld = {(w["type"], w["id"]): w for w in data["withheld"]}
    assert withheld[("chronology", held["note"].pk)]["reason"] == "serious_harm"
    assert withheld[("chronology", held["note"].pk)]["date"]
    assert "[Withheld: Would be likely to cause serious harm]" in text
    assert "Chronology entry or note" in text.split("What we have withheld and why")[-1]
    # The export's job records what it withheld when it was asked for.
    assert {"type": "chronology", "id": held["note"].pk} in [
        {"type": w["type"], "id": w["id"]} for w in export.parameters["withheld"]
    ]


def test_other_needs_an_explanation_and_the_page_keeps_the_ticks(world, held, client_for):
    client = client_for(world.administrator)
    sar = open_request(client, held["child"])
    url = reverse("subject_access:request-items", args=[sar.pk])
    note_key = f"chronology:{held['note'].pk}"

    response = client.post(
        url + "?group=chronology&page=999",
        {"group": "chronology", "items": [note_key], "action": "withhold", "reason": WithholdReason.OTHER},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page and "Explain why the items are withheld" in page
    assert f'value="{note_key}" checked' in page
    assert not Redaction.objects.filter(request=sar, item_type="chronology").exists()
    response = client.post(url, {"group": "chronology", "action": "withhold", "reason": WithholdReason.THIRD_PARTY})
    assert "Select the items" in response.content.decode()


def test_releasing_another_persons_details_gives_them_in_the_export(world, held, client_for):
    client = client_for(world.administrator)
    sar = open_request(client, held["child"])
    parent_key = f"person:{held['parent'].pk}"
    assert Redaction.objects.get(request=sar, item_type="person").automatic
    members = client.get(reverse("subject_access:request-items", args=[sar.pk]) + "?group=members").content.decode()
    assert "May name a third party" in members and "withheld when opened" in members

    response = client.post(
        reverse("subject_access:request-items", args=[sar.pk]) + "?group=members",
        {"group": "members", "items": [parent_key], "action": "release"},
    )

    assert response.status_code == 302
    assert not Redaction.objects.filter(request=sar).exists()


def test_what_is_withheld_cannot_change_once_ready_until_reopened(world, held):
    sar = services.sar_open(
        actor=world.administrator, person=held["child"], requester="The person", received_on=timezone.localdate()
    )
    services.sar_mark_ready(actor=world.administrator, request=sar)

    with pytest.raises(Exception, match="Reopen the request"):
        services.redaction_withhold(
            actor=world.administrator, request=sar, items=[("chronology", held["note"].pk)], reason="serious_harm"
        )
    services.sar_reopen(actor=world.administrator, request=sar)
    assert (
        services.redaction_withhold(
            actor=world.administrator, request=sar, items=[("chronology", held["note"].pk)], reason="serious_harm"
        )
        == 1
    )
    with pytest.raises(Exception, match="cannot become"):
        services.sar_export(actor=world.administrator, request=sar)  # a draft is not exported


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime.date(2027, 1, 31), datetime.date(2027, 2, 28)),
        (datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
        (datetime.date(2027, 3, 15), datetime.date(2027, 4, 15)),
        (datetime.date(2027, 12, 20), datetime.date(2028, 1, 20)),
    ],
)
def test_the_response_is_due_one_calendar_month_after_receipt(received, due):
    assert one_month_after(received) == due


def test_the_request_page_shows_the_due_date_and_a_future_date_received_is_refused(world, held, client_for):
    client = client_for(world.administrator)
    sar = open_request(client, held["child"], received=timezone.localdate() - datetime.timedelta(days=3))

    page = client.get(reverse("subject_access:request", args=[sar.pk])).content.decode()
    assert f"{sar.due_on:%-d %B %Y}" in page and "one calendar month from receipt" in page
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("subject_access:new") + f"?person={held['child'].pk}",
        {
            "requester": "The person",
            "received_on_0": str(tomorrow.day),
            "received_on_1": str(tomorrow.month),
            "received_on_2": str(tomorrow.year),
        },
    )
    assert response.status_code == 200 and "The date received must be today or in the past" in response.content.decode()
    assert 'value="The person"' in response.content.decode()


def test_the_administrator_finds_the_person_by_name_date_of_birth_or_id(world, held, client_for):
    client = client_for(world.administrator)
    child = held["child"]
    dob = child.date_of_birth

    by_name = client.get(reverse("subject_access:new"), {"name": child.last_name}).content.decode()
    by_dob = client.get(
        reverse("subject_access:new"), {"dob_0": dob.day, "dob_1": dob.month, "dob_2": dob.year}
    ).content.decode()
    by_id = client.get(reverse("subject_access:new"), {"person": child.pk}).content.decode()
    bad_dob = client.get(reverse("subject_access:new"), {"dob_0": "31", "dob_1": "2", "dob_2": "2020"}).content.decode()

    assert f"?person={child.pk}" in by_name and f"?person={child.pk}" in by_dob
    assert "Open a subject access request" in by_id and child.full_name in by_id
    assert "Date of birth must be a real date" in bad_dob and "<title>Error: " in bad_dob


# --- Who may use it ---------------------------------------------------------------------------------


def _routes(sar_id: int, export_id: int | None = None) -> list[tuple[str, str]]:
    return [
        ("GET", reverse("subject_access:list")),
        ("GET", reverse("subject_access:new")),
        ("POST", reverse("subject_access:new")),
        ("GET", reverse("subject_access:request", args=[sar_id])),
        ("GET", reverse("subject_access:request-items", args=[sar_id])),
        ("POST", reverse("subject_access:request-items", args=[sar_id])),
        ("POST", reverse("subject_access:request-status", args=[sar_id])),
        ("POST", reverse("subject_access:request-export", args=[sar_id])),
    ]


def test_only_administrators_use_the_pages(world, held, client_for):
    sar = services.sar_open(
        actor=world.administrator, person=held["child"], requester="The person", received_on=timezone.localdate()
    )
    administrator_and_manager = UserFactory(
        username="admin-manager", agency=world.council, roles=[Role.ADMINISTRATOR, Role.TEAM_MANAGER]
    )
    answers = {}
    for name in VIEWERS:
        client = client_for(getattr(world, name))
        for method, url in _routes(sar.pk):
            answers[(name, method, url)] = (client.get(url) if method == "GET" else client.post(url)).status_code
    allowed = {key: status for key, status in answers.items() if key[0] == "administrator"}
    refused = {key: status for key, status in answers.items() if key[0] != "administrator"}

    assert set(refused.values()) == {403}, refused  # every other user, those of several roles too
    assert all(status in (200, 302) for status in allowed.values()), allowed
    mixed = client_for(administrator_and_manager)
    assert mixed.get(reverse("subject_access:request", args=[sar.pk])).status_code == 200
    assert (
        client_for(world.administrator).get(reverse("subject_access:request", args=[sar.pk + 1000])).status_code == 404
    )
    # The service refuses anyone else too.
    with pytest.raises(Exception):  # noqa: B017, PT011 (PermissionDenied)
        services.sar_open(
            actor=world.team_manager, person=held["child"], requester="x", received_on=timezone.localdate()
        )


def test_only_the_administrator_who_asked_downloads_the_export(
    world, held, client_for, worker, django_capture_on_commit_callbacks
):
    client = client_for(world.administrator)
    sar = open_request(client, held["child"])
    export = make_export(client, sar, django_capture_on_commit_callbacks)
    other_administrator = UserFactory(username="admin2", agency=world.council, roles=[Role.ADMINISTRATOR])

    assert client_for(other_administrator).get(reverse("exports:export-download", args=[export.pk])).status_code == 404
    assert client_for(world.team_manager).get(reverse("exports:export-download", args=[export.pk])).status_code == 404
    assert client.get(reverse("exports:export-download", args=[export.pk])).status_code == 200
    assert client.get(reverse("exports:export-download", args=[export.pk])).status_code == 410


# --- The audit --------------------------------------------------------------------------------------


def test_opening_viewing_making_and_downloading_are_in_the_persons_access_log(
    world, held, client_for, worker, django_capture_on_commit_callbacks
):
    client = client_for(world.administrator)
    child = held["child"]
    sar = open_request(client, child)
    client.get(reverse("subject_access:request", args=[sar.pk]))
    client.get(reverse("subject_access:request-items", args=[sar.pk]))
    export = make_export(client, sar, django_capture_on_commit_callbacks)
    download(client, export)
    client_for(world.team_manager).get(reverse("subject_access:request", args=[sar.pk]))  # 403, before any read

    rows = list(
        AccessLog.objects.filter(person=child, user=world.administrator, record_type="subject_access_request")
        .order_by("at", "pk")
        .values_list("action", "record_id")
    )
    assert rows == [
        ("view", sar.pk),  # opened
        ("view", sar.pk),  # the request's page
        ("view", sar.pk),  # the redaction step
        ("print", sar.pk),  # the export made
        ("export", export.pk),  # and downloaded
    ]
    assert not AccessLog.objects.filter(user=world.team_manager, record_type="subject_access_request").exists()


# --- Pages in a fixed number of queries; a long access log in chunks -----------------------------------


def test_the_pages_read_a_fixed_number_of_queries(world, held, client_for):
    client = client_for(world.administrator)
    sar = open_request(client, held["child"])
    urls = [
        reverse("subject_access:list"),
        reverse("subject_access:request", args=[sar.pk]),
        reverse("subject_access:request-items", args=[sar.pk]) + "?group=chronology",
        reverse("subject_access:request-items", args=[sar.pk]) + "?group=referrals",
        reverse("subject_access:request-items", args=[sar.pk]) + "?group=plans",
        reverse("subject_access:request-items", args=[sar.pk]) + "?group=readings",
    ]
    for group in selectors.GROUPS:  # every kind of record's page opens
        assert client.get(urls[2].replace("chronology", group.key)).status_code == 200
    for url in urls:
        client.get(url)  # caches warmed
    small = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        small.append(len(queries))
    notes = []
    for n in range(30):
        notes.append(
            case_services.chronology_note_add(actor=world.lead, case=held["case"], summary=f"Note {n}", body="More.")
        )
        services.sar_open(
            actor=world.administrator, person=held["child"], requester=f"Asker {n}", received_on=timezone.localdate()
        )
    services.redaction_withhold(
        actor=world.administrator, request=sar, items=[("chronology", note.pk) for note in notes], reason="serious_harm"
    )
    large = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        large.append(len(queries))

    assert large == small, (small, large)
    assert max(large) <= 14, large


def test_a_long_access_log_is_written_in_chunks_with_progress(
    world, held, client_for, worker, django_capture_on_commit_callbacks
):
    child = held["child"]
    AccessLog.objects.bulk_create(
        AccessLog(user=world.lead, action="view", record_type="person", record_id=child.pk, person=child)
        for _ in range(1200)
    )
    client = client_for(world.administrator)
    sar = open_request(client, child)
    logged = (
        AccessLog.objects.filter(person=child).count()
        + AccessLog.objects.filter(case=held["case"]).exclude(person=child).count()
    )

    export = make_export(client, sar, django_capture_on_commit_callbacks)
    data, text, _pages = read(download(client, export))

    assert len(data["access_log"]) == logged >= 1200
    assert export.rows_total == export.rows_done > 1200
    assert "Viewed the person's record" in text
