"""The manager's case report, read back from the PDF with pypdf: each section's heading, a
chronology entry, a need and an action's status; OFFICIAL-SENSITIVE and the reference on every page;
a partner's team manager the family has not agreed to share with gets the masked report; who may
print it; the print in the access log; a fixed number of queries however long the case."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from cases import services as case_services
from cases.extensions import registry
from cases.models import AccessLog, OutcomeArea, Person
from cases.needs import need_record
from cases.permissions import case_get_for_user
from outcomes.case_report.report import SECTIONS, case_report_html
from outcomes.models import Achieved, ClosureDestination
from outcomes.services import NeedAnswer, closure_request_record, closure_sign_off
from tests.assessments.conftest import record as record_reading
from tests.assessments.test_assessment_services import consent, submitted
from tests.assessments.test_review_services import agreed_plan, review
from tests.assessments.test_taf_services import plan_meeting
from tests.conftest import _manager_of, open_case

NOTE = "Visited the family at home; mornings calmer"


def pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def case(world):
    """An active case with the lot: a submitted assessment with a need, an agreed plan, a TAF meeting,
    a review with an outcome tool reading, and a case note."""
    case = open_case(world, members=[(world.school_practitioner, "Class teacher")])
    type(case).objects.filter(pk=case.pk).update(opened_at=case.opened_at.replace(year=case.opened_at.year - 1))
    case.refresh_from_db()
    submitted(case)
    plan = agreed_plan(case)
    plan_meeting(case)
    review(case, plan)
    case_services.chronology_note_add(actor=world.lead, case=case, summary=NOTE, body="All well.")
    return case


def report(client, case):
    response = client.get(reverse("case_report:pdf", args=[case.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return pages(response.content)


def test_the_team_manager_prints_every_section_marked_and_referenced_on_every_page(world, case, client_for):
    client = client_for(world.team_manager)
    seen = case_get_for_user(user=world.team_manager, case_id=case.pk)  # as the case page reads it, logged
    assert "Print the case report (PDF)" in [action.label for action in registry.actions_for(world.team_manager, seen)]

    texts = report(client, case)
    text = " ".join(texts)

    assert len(texts) > 2
    for page in texts:
        assert "OFFICIAL-SENSITIVE" in page
        assert case.reference in page
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
    for section in SECTIONS:
        assert section.title in text, section.title
    assert "Contents" in texts[0]
    starts = next(n for n, page in enumerate(texts[1:], start=2) if "Reviews" in page)
    assert f"Reviews {starts}" in texts[0]  # the contents give the page each section starts on
    assert NOTE in text  # the chronology
    assert "Sleep routine" in text  # the assessment's need
    assert "Breakfast club place" in text and "On track" in text  # an action and its status
    assert case.family.name in text
    assert "Printed the case" not in text  # this print is logged after it is made
    assert "Viewed the case" in text  # the access section: the case page just seen
    assert AccessLog.objects.filter(
        user=world.team_manager, case=case, action=AccessLog.Action.PRINT, record_type="case", record_id=case.pk
    ).exists()


def test_a_partner_manager_without_the_familys_consent_gets_the_masked_report(world, case, client_for):
    # A health team manager in the team around the family; the family has not agreed to share with health.
    case_services.case_member_add(actor=world.team_manager, case=case, user=world.other_manager, role="Health lead")
    case_services.chronology_note_add(
        actor=world.other_manager, case=case, summary="Health visit booked", body="Booked for next week."
    )

    text = " ".join(texts := report(client_for(world.other_manager), case))

    for page in texts:
        assert "OFFICIAL-SENSITIVE" in page and case.reference in page
    assert "not agreed to share their details with Health Visiting" in text
    assert "Health visit booked" in text  # what their own agency wrote
    for hidden in (case.family.name, NOTE, "Sleep routine", "Breakfast club place", "Mornings are calmer"):
        assert hidden not in text, hidden
    for left_out in ("Genogram", "Consent", "The family plan and its actions", "Who has had access"):
        assert left_out not in text  # neither in the contents nor as a section (the notice lists them in lower case)
    assert "Early Help Panel decisions" in text and "The team around the family" in text
    assert AccessLog.objects.filter(user=world.other_manager, case=case, action=AccessLog.Action.PRINT).exists()


def test_only_team_managers_who_may_see_the_case_print_it(world, case, client_for):
    url = reverse("case_report:pdf", args=[case.pk])
    another_manager = _manager_of(world.other_team)

    assert client_for(world.other_lead).get(url).status_code == 403  # a lead professional of another team
    assert client_for(world.lead).get(url).status_code == 403  # the case's own lead prints their own papers
    assert client_for(another_manager).get(url).status_code == 404  # a manager of another team
    seen = case_get_for_user(user=world.lead, case_id=case.pk, log=False)
    assert "case-report" not in [action.key for action in registry.actions_for(world.lead, seen)]
    assert not AccessLog.objects.filter(case=case, action=AccessLog.Action.PRINT).exists()
    assert AccessLog.objects.filter(user=another_manager, case=case, action=AccessLog.Action.DENIED).exists()


def test_the_report_reads_a_fixed_number_of_queries_however_long_the_case(world, case, client_for):
    client = client_for(world.team_manager)
    url = reverse("case_report:pdf", args=[case.pk])
    # The process's caches warmed (the permissions' ids, the content types), without a PDF.
    case_report_html(user=world.team_manager, case=case_get_for_user(user=world.team_manager, case_id=case.pk))
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(30):
        case_services.chronology_note_add(actor=world.lead, case=case, summary=f"Note {n}", body="More.")
    for n in range(3):
        record_reading(case, "family-star-plus", [n + 4] * 10)
        consent(case)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small) <= 30, (len(small), len(large))


def test_a_closed_cases_report_gives_its_closure_record_and_sign_off(world, client_for):
    case = open_case(world)
    child = Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)
    area = OutcomeArea.objects.filter(framework__active=True).order_by("position").first()
    need = need_record(actor=world.lead, case=case, area=area, person=child, description="Misses school")
    case_services.case_request_closure(actor=world.lead, case=case, reason=world.outcomes_met, summary="Goals met.")
    closure_request_record(
        actor=world.lead,
        case=case,
        destination=ClosureDestination.objects.get(code="universal"),
        feedback_timely="yes",
        feedback_knew_lead="yes",
        feedback_told_once="no",
        feedback_words="We felt listened to.",
        answers=[NeedAnswer(need=need, achieved=Achieved.YES, evidence_note="Attendance 97% this term")],
    )
    case_services.case_sign_off_closure(actor=world.team_manager, case=case, note="Well done.")
    closure_sign_off(actor=world.team_manager, case=case, significant_and_sustained=True, note="Held for months.")

    text = " ".join(report(client_for(world.team_manager), case))

    assert "Closure and sign-off" in text
    assert "Significant and sustained progress Yes: Held for months." in text
    assert "Misses school" in text and "Attendance 97% this term" in text
    assert "We felt listened to." in text
    assert ClosureDestination.objects.get(code="universal").name in text
    assert "Signed off" in text and world.team_manager.get_full_name() in text
    # The needs are given once, with their outcome at closure, not again as "Open" working needs.
    assert "Each need identified" not in text and "The outcome of each need at closure" in text
