"""The assessment API: reading the case's assessment and a version, saving a section (the page's
form's checks, 400 with field errors), submitting, approving and returning; the access matrix of
every role, the same as the pages'. Every response is checked against the OpenAPI schema
(tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import assessment_services as services
from assessments.models import Assessment, AssessmentStatus, SectionKind, SectionStatus
from cases.models import DescriptorKind, OutcomeArea
from tests.assessments.test_assessment_pages import DECIDES, MANAGERS, SEES, WRITES, family_case  # noqa: F401
from tests.assessments.test_assessment_services import completed_assessment, consent, submitted
from tests.conftest import VIEWERS


def api(name: str, case, *args) -> str:
    return reverse(f"api-case-assessment{name}", args=[case.pk, *args])


@pytest.fixture
def started(family_case):  # noqa: F811
    consent(family_case)
    services.assessment_start(actor=family_case.lead_professional, case=family_case)
    return family_case


def test_before_it_is_started(world, client_for, family_case):  # noqa: F811
    response = client_for(world.lead).get(api("", family_case))

    assert response.status_code == 200
    assert response.json() == {"latest": None, "versions": []}


def test_reads_the_latest_with_sections_and_needs(world, client_for, family_case, django_assert_max_num_queries):  # noqa: F811
    completed_assessment(family_case)
    client = client_for(world.lead)

    with django_assert_max_num_queries(14):
        response = client.get(api("", family_case))

    body = response.json()
    assert body["latest"]["version"] == 1 and body["latest"]["status"] == "in_progress"
    kinds = [section["kind"] for section in body["latest"]["sections"]]
    assert kinds[0] == "family" and kinds[-1] == "decision"
    assert body["latest"]["needs"][0]["description"] == "Sleep routine"
    assert [v["version"] for v in body["versions"]] == [1]
    assert client.get(api("-version", family_case, 1)).json()["id"] == body["latest"]["id"]
    assert client.get(api("-version", family_case, 9)).status_code == 404


def test_each_need_names_its_descriptor_and_framework_in_the_same_queries_however_many(world, client_for, started):
    assessment = Assessment.objects.get(case=started)
    education = OutcomeArea.objects.select_related("framework").get(framework__active=True, code="good-education")
    absence = education.descriptors.get(kind=DescriptorKind.NEED, code="persistent-absence")
    add = services.assessment_need_add
    add(actor=world.lead, assessment=assessment, area=education, description="Sleep routine")
    client = client_for(world.lead)
    client.get(api("", started))
    with CaptureQueriesContext(connection) as one:
        client.get(api("", started))
    for n in range(3):
        add(actor=world.lead, assessment=assessment, area=education, description=f"Missed {n}", descriptor=absence)

    with CaptureQueriesContext(connection) as four:
        response = client.get(api("", started))

    assert len(four) == len(one), [query["sql"] for query in four.captured_queries]
    needs = response.json()["latest"]["needs"]
    assert [need["descriptor"] for need in needs] == [None] + [
        {"id": absence.pk, "code": "persistent-absence", "text": absence.text}
    ] * 3
    assert {need["framework"] for need in needs} == {str(education.framework)}
    assert client.get(api("-version", started, 1)).json()["needs"][1]["descriptor"]["code"] == "persistent-absence"


def test_saves_a_section(world, client_for, started):
    section = Assessment.objects.get(case=started).sections.get(kind=SectionKind.STRENGTHS)

    response = client_for(world.lead).post(
        api("-section", started, section.pk),
        {"answers": {"strengths": "Close to their grandmother"}, "completed": True},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    section.refresh_from_db()
    assert section.status == SectionStatus.COMPLETED and section.answers == {"strengths": "Close to their grandmother"}


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"answers": {"strengths": ""}, "completed": True}, "answers.strengths", "Enter the family's strengths"),
        ({"answers": {"strengths": "x"}}, "completed", "Say whether the section is completed"),
        ({"answers": [], "completed": True}, "answers", "Enter the answers as an object"),
        ({"answers": {"colour": "blue"}, "completed": False}, "answers", "This section has no question"),
        ({"answers": {"strengths": "x" * 10001}, "completed": False}, "answers.strengths", "10,000 characters"),
    ],
)
def test_bad_answers_are_400s_naming_the_field(world, client_for, started, body, field, message):
    section = Assessment.objects.get(case=started).sections.get(kind=SectionKind.STRENGTHS)

    response = client_for(world.lead).post(api("-section", started, section.pk), body, content_type="application/json")

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])


def test_a_bad_worry_rating(world, client_for, started):
    section = Assessment.objects.get(case=started).sections.get(kind=SectionKind.CHILD_DOMAINS)

    response = client_for(world.lead).post(
        api("-section", started, section.pk),
        {"answers": {"health_worry": 12}, "completed": False},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["answers.health_worry"] == ["The worry rating for Health must be a number from 0 to 10"]


def test_submit_then_return_then_approve(world, client_for, family_case):  # noqa: F811
    completed_assessment(family_case)
    lead, manager = client_for(world.lead), client_for(world.team_manager)

    response = lead.post(api("-submit", family_case))
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert response.json()["outcome"] == "taf"

    again = lead.post(api("-submit", family_case))
    assert again.status_code == 400

    no_note = manager.post(api("-decide", family_case), {"decision": "return"}, content_type="application/json")
    assert no_note.status_code == 400 and "note" in no_note.json()

    returned = manager.post(
        api("-decide", family_case), {"decision": "return", "note": "More detail"}, content_type="application/json"
    )
    assert returned.json()["status"] == "returned"
    lead.post(api("-submit", family_case))
    approved = manager.post(api("-decide", family_case), {"decision": "approve"}, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_submit_too_early_names_the_sections(world, client_for, started):
    response = client_for(world.lead).post(api("-submit", started))

    assert response.status_code == 400
    assert "Complete every section" in response.json()["sections"][0]


def test_bad_decision(world, client_for, family_case):  # noqa: F811
    submitted(family_case)

    response = client_for(world.team_manager).post(
        api("-decide", family_case), {"decision": "maybe"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "approve or return" in response.json()["decision"][0]


def test_own_submission_is_403(world, client_for, family_case):  # noqa: F811
    services.assessment_submit(
        actor=world.team_manager, assessment=completed_assessment(family_case, actor=world.team_manager)
    )

    response = client_for(world.team_manager).post(
        api("-decide", family_case), {"decision": "approve"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert Assessment.objects.get(case=family_case).status == AssessmentStatus.SUBMITTED


@pytest.mark.parametrize("who", VIEWERS)
def test_who_may_read_write_and_decide(world, client_for, family_case, who):  # noqa: F811
    completed_assessment(family_case)
    client = client_for(getattr(world, who))
    section = Assessment.objects.get(case=family_case).sections.get(kind=SectionKind.STRENGTHS)

    assert client.get(api("", family_case)).status_code == (200 if who in SEES else 404)
    saved = client.post(
        api("-section", family_case, section.pk),
        {"answers": {"strengths": "Kind"}, "completed": True},
        content_type="application/json",
    )
    assert saved.status_code == (200 if who in WRITES else 404)
    decided = client.post(api("-decide", family_case), {"decision": "approve"}, content_type="application/json")
    # Nothing is submitted yet: a manager of the case hears so (400).
    assert decided.status_code == (400 if who in DECIDES else 404 if who in MANAGERS else 403)
