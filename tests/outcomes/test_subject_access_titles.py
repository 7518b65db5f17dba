"""Subject access, what the administrator reads: the request's page names each withheld item by its
title and date (kept on the redaction when it is made, so the page reads a fixed number of queries
however many kinds are withheld; an older row without one falls back to its kind and id), and the
redaction page gives an assessment section's answers under their questions, in words (a level of
need by its name, never its code), in a fixed number of queries however many sections there are."""

from __future__ import annotations

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, AssessmentSection, SectionKind
from cases import services as case_services
from cases.models import LevelOfNeed, Person
from outcomes.subject_access import services
from outcomes.subject_access.models import ItemType, Redaction, WithholdReason
from tests.assessments.test_assessment_services import submitted
from tests.conftest import open_case
from tests.outcomes.test_subject_access import open_request

NOTE = "Home visit: the children were asleep by nine"


@pytest.fixture
def assessed(world):
    """A child and a parent in a family whose case has a submitted assessment and a case note."""
    case = open_case(world)
    assessment = submitted(case)
    note = case_services.chronology_note_add(actor=world.lead, case=case, summary=NOTE, body="Quiet evening.")
    return {
        "case": case,
        "assessment": assessment,
        "note": note,
        "child": Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD),
        "parent": Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT),
    }


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def detail(client, sar) -> str:
    return text_of(client.get(reverse("subject_access:request", args=[sar.pk])))


def test_the_request_page_names_each_withheld_item_by_its_title_and_date_with_its_reason(world, assessed, client_for):
    client = client_for(world.administrator)
    sar = open_request(client, assessed["child"])
    note, parent = assessed["note"], assessed["parent"]

    response = client.post(
        reverse("subject_access:request-items", args=[sar.pk]) + "?group=chronology",
        {"group": "chronology", "items": [f"chronology:{note.pk}"], "action": "withhold", "reason": "serious_harm"},
    )

    assert response.status_code == 302
    redaction = Redaction.objects.get(request=sar, item_type=ItemType.CHRONOLOGY)
    assert (redaction.title, redaction.item_date) == (NOTE, timezone.localtime(note.occurred_at).date())
    page = detail(client, sar)
    withheld = page.split("What is withheld and why")[1]
    assert f"{NOTE}, {timezone.localtime(note.occurred_at):%-d %B %Y}" in withheld
    assert "Chronology entry or note" in withheld and "Would be likely to cause serious harm" in withheld
    # The other family member, withheld when the request was opened, by name and why.
    assert f"Another person: {parent.full_name}" in withheld
    assert "Names or identifies a third party who has not consented" in withheld
    assert f"Person's details {parent.pk}" not in withheld and f"Chronology entry or note {note.pk}" not in withheld


def test_a_redaction_kept_before_titles_were_names_its_kind_and_id(world, assessed, client_for):
    client = client_for(world.administrator)
    sar = open_request(client, assessed["child"])
    Redaction.objects.filter(request=sar).update(title="", item_date=None)  # as rows made before titles were kept

    page = detail(client, sar)

    assert f"Person's details {assessed['parent'].pk}" in page.split("What is withheld and why")[1]


def test_withholding_again_keeps_the_title_and_an_item_outside_the_record_has_none(world, assessed):
    sar = services.sar_open(
        actor=world.administrator, person=assessed["child"], requester="The person", received_on=timezone.localdate()
    )
    parent = assessed["parent"]

    services.redaction_withhold(
        actor=world.administrator,
        request=sar,
        items=[("person", parent.pk), ("chronology", 10**9)],
        reason=WithholdReason.LEGAL_PRIVILEGE,
    )

    again = Redaction.objects.get(request=sar, item_type=ItemType.PERSON, item_id=parent.pk)
    assert (again.title, again.item_date, again.reason, again.automatic) == (
        f"Another person: {parent.full_name}",
        parent.date_of_birth,
        WithholdReason.LEGAL_PRIVILEGE,
        False,
    )
    assert Redaction.objects.get(request=sar, item_id=10**9).title == ""


def test_the_request_page_reads_the_same_queries_however_many_kinds_are_withheld(world, assessed, client_for):
    client = client_for(world.administrator)
    sar = open_request(client, assessed["child"])  # the parent withheld: one item of one kind
    detail(client, sar)  # caches warmed
    with CaptureQueriesContext(connection) as one:
        detail(client, sar)
    sections = AssessmentSection.objects.filter(assessment=assessed["assessment"]).exclude(status="not_started")
    items = [("chronology", assessed["note"].pk), ("person", assessed["child"].pk), ("case", assessed["case"].pk)]
    items += [("assessment_section", pk) for pk in sections.values_list("pk", flat=True)]
    items += [("assessment", assessed["assessment"].pk)]

    services.redaction_withhold(actor=world.administrator, request=sar, items=items, reason="serious_harm")

    with CaptureQueriesContext(connection) as many:
        page = detail(client, sar)
    assert len(many) == len(one), ([q["sql"] for q in one], [q["sql"] for q in many])
    assert f"Case {assessed['case'].reference}" in page and f"Assessment of case {assessed['case'].reference}" in page


# --- The redaction page's assessment sections, in words --------------------------------------------


def sections_page(client, sar) -> str:
    return text_of(client.get(reverse("subject_access:request-items", args=[sar.pk]) + "?group=sections"))


def test_the_redaction_page_gives_a_sections_answers_under_their_questions_in_words(world, assessed, client_for):
    client = client_for(world.administrator)
    sar = open_request(client, assessed["child"])
    child = assessed["child"]

    page = sections_page(client, sar)

    assert "Why does the family need an early help assessment?: School worried about attendance" in page
    assert f"What is the family's level of need?: {world.level3.name}" in page
    assert f"How were {child.full_name}'s views gathered?: Talking with them" in page
    assert "What is the decision?: A Team Around the Family" in page
    assert "Child's developmental needs: Health: Strengths: None recorded. Needs: Sleep." in page
    for raw in ("level-3", "Level of need:", "How gathered:", "Health worry", "conversation", "Decision: taf"):
        assert raw not in page, raw


def another_version(assessment: Assessment, version: int, level: str) -> None:
    """An approved version of the assessment as it was kept (synthetic rows), with its own reason
    section and sections of other kinds."""
    now = timezone.now() - datetime.timedelta(days=version)
    other = Assessment.objects.create(
        case=assessment.case,
        version=version,
        status="approved",
        started_by=assessment.started_by,
        submitted_at=now,
        decided_at=now,
    )
    child = assessment.sections.get(kind=SectionKind.CHILD_VOICE).person_id
    for kind, person_id, answers in [
        (SectionKind.REASON, None, {"reason": f"Version {version}", "level_of_need": level, "level_explanation": ""}),
        (SectionKind.CHILD_VOICE, child, {"words": "Fine", "how_gathered": "activity", "how_details": ""}),
        (SectionKind.STRENGTHS, None, {"strengths": "Kind"}),
        (SectionKind.DECISION, None, {"decision": "single_agency", "reasons": "One agency is enough"}),
    ]:
        AssessmentSection.objects.create(
            assessment=other, kind=kind, person_id=person_id, status="completed", answers=answers, updated_at=now
        )


def test_the_sections_page_reads_the_same_queries_with_one_reason_section_or_several(world, assessed, client_for):
    client = client_for(world.administrator)
    sar = open_request(client, assessed["child"])
    sections_page(client, sar)  # caches warmed
    with CaptureQueriesContext(connection) as one:
        sections_page(client, sar)
    LevelOfNeed.objects.create(code="retired-level", name="A level no longer offered", active=False)
    for version, level in [(2, "level-3"), (3, "retired-level"), (4, "level-3")]:
        another_version(assessed["assessment"], version, level)

    with CaptureQueriesContext(connection) as several:
        page = sections_page(client, sar)

    assert AssessmentSection.objects.filter(kind=SectionKind.REASON, assessment__case=assessed["case"]).count() == 4
    assert "Version 3" in page and "Version 4" in page  # every reason section on this page
    assert len(several) == len(one), ([q["sql"] for q in one], [q["sql"] for q in several])
    assert "What is the family's level of need?: A level no longer offered" in page
    assert "retired-level" not in page and "level-3" not in page
