"""The assessment's pages: the task list, each section's page and its validation, needs, submitting,
the manager's decision, versions, the comparison, the read-only version and the PDF; the access
matrix of every role; query counts; the case action and the home panel."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import assessment_services as services
from assessments.models import Assessment, AssessmentStatus, SectionKind, SectionStatus
from cases import services as case_services
from cases.models import AccessLog, Consent
from cases.needs import outcome_areas_active
from tests.assessments.test_assessment_services import (
    add_need,
    child_of,
    completed_assessment,
    consent,
    parent_of,
    save,
    submitted,
    valid_data,
)
from tests.conftest import VIEWERS, open_case
from tests.panels.test_pdfs import text as pdf_text


def url(name: str, case, *args) -> str:
    return reverse(f"assessments:{name}", args=[case.pk, *args])


@pytest.fixture
def family_case(world):
    """An active case led by `world.lead`; the school (a TAF member) has the family's consent to
    share, the health visitor (also a member) has not."""
    case = open_case(
        world, members=[(world.school_practitioner, "Class teacher"), (world.health_practitioner, "Health visitor")]
    )
    case_services.consent_record(
        actor=world.lead,
        family=case.family,
        person=parent_of(case),
        scope=Consent.Scope.SHARING,
        agency=world.school,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.WRITTEN,
        decided_on=timezone.localdate(),
        case=case,
    )
    return case


@pytest.fixture
def started(family_case):
    consent(family_case)
    services.assessment_start(actor=family_case.lead_professional, case=family_case)
    return family_case


# --- The task list ------------------------------------------------------------------------------------


def test_without_consent_the_page_says_what_to_do_first(world, client_for, family_case):
    response = client_for(world.lead).get(url("assessment", family_case))

    assert response.status_code == 200
    assert "Record the family&#x27;s consent to the assessment first" in response.content.decode()
    assert "Start the assessment" not in response.content.decode()
    link = f'href="/cases/{family_case.pk}/consent/add/?scope=assessment"'
    assert link in response.content.decode()
    form = client_for(world.lead).get(f"/cases/{family_case.pk}/consent/add/?scope=assessment").content.decode()
    assert re.search(r'value="assessment"\s+checked', form)


def test_the_lead_starts_it_and_sees_the_task_list(world, client_for, family_case):
    consent(family_case)
    client = client_for(world.lead)

    response = client.post(url("assessment-start", family_case), follow=True)

    page = response.content.decode()
    assert Assessment.objects.filter(case=family_case).count() == 1
    assert "govuk-task-list" in page
    assert f"The voice of {child_of(family_case).full_name}" in page
    assert f"{child_of(family_case).full_name}: needs, parenting and family" in page
    assert "Not started" in page
    assert "You have completed 0 of" in page


def test_the_task_list_runs_a_constant_number_of_queries(world, client_for, started, django_assert_max_num_queries):
    assessment = Assessment.objects.get(case=started)
    for _ in range(3):
        add_need(assessment)
    client = client_for(world.lead)
    with django_assert_max_num_queries(16):
        response = client.get(url("assessment", started))
    assert response.status_code == 200


# --- Sections -----------------------------------------------------------------------------------------

SECTION_ERRORS = {
    SectionKind.FAMILY: ({"professionals": ""}, "Enter the professionals involved with the family"),
    SectionKind.REASON: ({"reason": "Worried", "level_of_need": ""}, "Select the family&#x27;s level of need"),
    SectionKind.CHILD_VOICE: ({"words": "", "how_gathered": "conversation"}, "said, in their words"),
    SectionKind.CARER_VOICE: ({"words": ""}, "said, in their words"),
    SectionKind.STRENGTHS: ({"strengths": ""}, "Enter the family&#x27;s strengths"),
    SectionKind.CHILD_DOMAINS: ({"health_worry": ""}, "Select a worry rating for health"),
    SectionKind.HISTORY: ({"tried_before": ""}, "Enter what has been tried before"),
    SectionKind.ANALYSIS: ({"analysis": ""}, "Enter your analysis"),
    SectionKind.DECISION: ({"decision": ""}, "Select the decision"),
}


@pytest.mark.parametrize("kind", list(SECTION_ERRORS))
def test_each_section_says_what_is_missing_and_keeps_what_was_typed(world, client_for, started, kind):
    section = Assessment.objects.get(case=started).sections.filter(kind=kind).first()
    change, message = SECTION_ERRORS[kind]
    data = {**valid_data(section), **change, "completed": "yes"}
    typed = next((value for key, value in data.items() if value and "worry" not in key and key != "completed"), "")

    response = client_for(world.lead).post(url("assessment-section", started, section.pk), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "govuk-error-summary" in page and message in page
    assert page.count('name="completed"') == 2  # the question asked once: its two answers
    if typed:
        assert typed.replace("'", "&#x27;") in page
    section.refresh_from_db()
    assert section.status == SectionStatus.NOT_STARTED


def test_a_section_saved_unfinished_and_its_bad_rating(world, client_for, started):
    section = Assessment.objects.get(case=started).sections.get(kind=SectionKind.CHILD_DOMAINS)
    client = client_for(world.lead)

    response = client.post(url("assessment-section", started, section.pk), {"health_worry": "11", "completed": "no"})
    assert "The worry rating for Health must be a number from 0 to 10" in response.content.decode()

    response = client.post(url("assessment-section", started, section.pk), {"health_needs": "Sleep", "completed": "no"})
    assert response.status_code == 302 and response["Location"] == url("assessment", started)
    section.refresh_from_db()
    assert section.status == SectionStatus.IN_PROGRESS and section.answers["health_needs"] == "Sleep"


def test_completed_question_must_be_answered(world, client_for, started):
    section = Assessment.objects.get(case=started).sections.get(kind=SectionKind.STRENGTHS)

    response = client_for(world.lead).post(url("assessment-section", started, section.pk), {"strengths": "Kind"})

    assert "Select whether you have completed this section" in response.content.decode()
    assert "Kind" in response.content.decode()


def test_needs_are_added_and_removed_on_the_needs_page(world, client_for, started):
    assessment = Assessment.objects.get(case=started)
    section = assessment.sections.get(kind=SectionKind.NEEDS)
    client = client_for(world.lead)
    area = outcome_areas_active()[0]

    empty = client.post(url("assessment-need-add", started), {"person": "", "area": "", "description": ""})
    page = empty.content.decode()
    assert "Select who the need is about" in page and "Select the outcome area" in page
    assert "Enter what the need is" in page

    added = client.post(
        url("assessment-need-add", started),
        {"person": str(child_of(started).pk), "area": str(area.pk), "description": "Sleep routine"},
    )
    assert added.status_code == 302
    link = assessment.need_links.get()
    assert link.need.person == child_of(started) and link.need.area == area

    page = client.get(url("assessment-section", started, section.pk)).content.decode()
    assert "Sleep routine" in page and area.name in page

    removed = client.post(url("assessment-need-remove", started, link.need_id))
    assert removed.status_code == 302
    assert not assessment.need_links.exists()


# --- Submit, decide ---------------------------------------------------------------------------------------


def test_check_your_answers_then_submit(world, client_for, family_case):
    completed_assessment(family_case)
    client = client_for(world.lead)

    page = client.get(url("assessment-submit", family_case)).content.decode()
    assert "Check your answers before you submit the assessment" in page
    assert "A loving family, grandmother nearby" in page

    response = client.post(url("assessment-submit", family_case))

    assert response.status_code == 302
    assert Assessment.objects.get(case=family_case).status == AssessmentStatus.SUBMITTED


def test_submit_with_sections_left_shows_why(world, client_for, started):
    response = client_for(world.lead).post(url("assessment-submit", started))

    page = response.content.decode()
    assert "<title>Error:" in page and "Complete every section before you submit" in page


def test_the_manager_returns_it_with_comments_then_approves(world, client_for, family_case):
    submitted(family_case)
    client = client_for(world.team_manager)
    assert "Approve or return the assessment" in client.get(url("assessment", family_case)).content.decode()

    response = client.post(url("assessment-decide", family_case), {"decision": "return", "note": ""})
    assert "Enter what needs to change" in response.content.decode()

    client.post(url("assessment-decide", family_case), {"decision": "return", "note": "Add the school's view"})
    assessment = Assessment.objects.get(case=family_case)
    assert assessment.status == AssessmentStatus.RETURNED

    page = client_for(world.lead).get(url("assessment", family_case)).content.decode()
    assert "Add the school&#x27;s view" in page and "returned the assessment for changes" in page

    save(assessment.sections.get(kind=SectionKind.ANALYSIS), {"analysis": "With the school's view"})
    services.assessment_submit(actor=world.lead, assessment=assessment)
    client.post(url("assessment-decide", family_case), {"decision": "approve", "note": ""})
    assert Assessment.objects.get(case=family_case).status == AssessmentStatus.APPROVED


def test_a_manager_cannot_decide_their_own_submission(world, client_for, family_case):
    assessment = completed_assessment(family_case, actor=world.team_manager)
    services.assessment_submit(actor=world.team_manager, assessment=assessment)
    client = client_for(world.team_manager)

    assert "Approve or return" not in client.get(url("assessment", family_case)).content.decode()
    response = client.post(url("assessment-decide", family_case), {"decision": "approve"})

    assert response.status_code == 302
    assert Assessment.objects.get(case=family_case).status == AssessmentStatus.SUBMITTED


# --- Versions, comparison, read-only, PDF -------------------------------------------------------------


@pytest.fixture
def two_versions(world, family_case):
    first = services.assessment_approve(actor=world.team_manager, assessment=submitted(family_case))
    second = services.assessment_new_version(actor=world.lead, assessment=first)
    save(second.sections.get(kind=SectionKind.STRENGTHS), {"strengths": "Dad now helps with mornings"})
    return family_case


def test_versions_and_side_by_side(world, client_for, two_versions, django_assert_max_num_queries):
    client = client_for(world.school_practitioner)

    page = client.get(url("assessment-versions", two_versions)).content.decode()
    assert "Version 1" in page and "Version 2" in page

    with django_assert_max_num_queries(20):
        response = client.get(url("assessment-compare", two_versions) + "?from=1&to=2")
    page = response.content.decode()
    assert "A loving family, grandmother nearby" in page
    assert "Dad now helps with mornings" in page
    assert "Changed" in page


def test_a_locked_version_reads_only(world, client_for, two_versions):
    page = client_for(world.lead).get(url("assessment-version", two_versions, 1)).content.decode()

    assert "This version is locked" in page
    assert "A loving family, grandmother nearby" in page
    assert url("assessment-section", two_versions, 1) not in page


def test_the_pdf_reads_back_and_is_logged_as_a_print(world, client_for, two_versions):
    response = client_for(world.team_manager).get(url("assessment-pdf", two_versions, 1))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "OFFICIAL-SENSITIVE" in text
    assert "version 1" in text
    assert "A loving family, grandmother nearby" in text
    assert "Sleep routine" in text
    assert two_versions.family.name not in response["Content-Disposition"]
    assert AccessLog.objects.filter(
        user=world.team_manager, action=AccessLog.Action.PRINT, case_id=two_versions.pk
    ).exists()


# --- Who may ----------------------------------------------------------------------------------------------

SEES = {
    *("duty_manager", "panel_coordinator", "county_coordinator", "lead", "team_manager"),
    *("school_practitioner", "manager_coordinator", "duty_lead"),
}
WRITES = {"lead", "team_manager", "manager_coordinator"}
DECIDES = {"team_manager", "manager_coordinator"}
MANAGERS = {"team_manager", "other_manager", "manager_coordinator"}


@pytest.mark.parametrize("who", VIEWERS)
def test_who_sees_the_assessment(world, client_for, family_case, who):
    submitted(family_case)
    client = client_for(getattr(world, who))

    for name, args in (("assessment", ()), ("assessment-versions", ()), ("assessment-version", (1,))):
        response = client.get(url(name, family_case, *args))
        assert response.status_code == (200 if who in SEES else 404), (name, who)
    assert client.get(url("assessment-pdf", family_case, 1)).status_code == (200 if who in SEES else 404)


@pytest.mark.parametrize("who", VIEWERS)
def test_who_writes_and_decides(world, client_for, started, who):
    client = client_for(getattr(world, who))
    section = Assessment.objects.get(case=started).sections.get(kind=SectionKind.STRENGTHS)

    response = client.get(url("assessment-section", started, section.pk))
    assert response.status_code == (200 if who in WRITES else 404)

    decide = client.get(url("assessment-decide", started))
    expected = 302 if who in DECIDES else 404 if who in MANAGERS else 403
    assert decide.status_code == expected


def test_sharing_withdrawn_takes_sight_away_on_the_next_request(world, client_for, family_case):
    submitted(family_case)
    client = client_for(world.school_practitioner)
    assert client.get(url("assessment", family_case)).status_code == 200

    case_services.consent_record(
        actor=world.lead,
        family=family_case.family,
        person=parent_of(family_case),
        scope=Consent.Scope.SHARING,
        agency=world.school,
        status=Consent.Status.WITHDRAWN,
        decided_on=timezone.localdate(),
        case=family_case,
    )

    assert client.get(url("assessment", family_case)).status_code == 404


# --- The case page and the home page ------------------------------------------------------------------


def test_the_case_page_links_to_the_assessment(world, client_for, family_case):
    page = client_for(world.lead).get(reverse("cases:case-detail", args=[family_case.pk])).content.decode()

    assert url("assessment", family_case) in page
    assert "Early help assessment" in page


def test_the_case_action_is_hidden_from_a_member_without_consent(world, client_for, family_case):
    response = client_for(world.health_practitioner).get(reverse("cases:case-detail", args=[family_case.pk]))

    assert url("assessment", family_case) not in response.content.decode()


def test_team_managers_see_assessments_to_approve(world, client_for, django_assert_max_num_queries):
    cases = [open_case(world) for _ in range(2)]
    for case in cases:
        submitted(case)
    client = client_for(world.team_manager)

    page = client.get(reverse("home")).content.decode()

    assert "Assessments to approve" in page
    for case in cases:
        assert url("assessment", case) in page
    other = client_for(world.other_manager).get(reverse("home")).content.decode()
    assert url("assessment", cases[0]) not in other


def test_a_closed_cases_submitted_assessment_is_not_waiting_for_approval(world, client_for):
    case = open_case(world)
    submitted(case)
    case_services.case_request_closure(actor=world.team_manager, case=case, reason=world.outcomes_met, summary="Done.")
    case_services.case_sign_off_closure(actor=world.team_manager, case=case)

    page = client_for(world.team_manager).get(reverse("home")).content.decode()

    assert url("assessment", case) not in page


def test_the_home_panel_is_one_query_however_many(world, rf, django_assert_num_queries):
    from assessments.assessment_parts import _to_approve

    for _ in range(3):
        submitted(open_case(world))
    request = rf.get("/")
    request.user = world.team_manager
    assert world.team_manager.roles  # read with the signed-in user, once per request

    with django_assert_num_queries(1):
        panel = _to_approve(request)

    assert len(panel["assessments"]) == 3 and not panel["more"]


def test_pages_run_a_constant_number_of_queries(world, client_for, family_case, django_assert_max_num_queries):
    assessment = completed_assessment(family_case)
    for _ in range(3):
        add_need(assessment)
    needs = assessment.sections.get(kind=SectionKind.NEEDS)
    client = client_for(world.lead)

    for name, args, most in (
        ("assessment-section", (needs.pk,), 14),
        ("assessment-submit", (), 10),
        ("assessment-version", (1,), 10),
        ("assessment-versions", (), 7),
    ):
        with django_assert_max_num_queries(most):
            assert client.get(url(name, family_case, *args)).status_code == 200


def test_the_task_list_and_the_pdf_show_the_genogram(world, client_for, started):
    client = client_for(world.lead)

    page = client.get(url("assessment", started)).content.decode()
    pdf = pdf_text(client.get(url("assessment-pdf", started, 1)).content)

    assert "The family's genogram" in page and "<svg" in page
    assert "The family's genogram" in pdf
