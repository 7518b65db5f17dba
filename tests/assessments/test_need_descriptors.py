"""The assessment's needs page: a need may point at one of its area's descriptors of need, chosen
from a list grouped by area (no JavaScript); one of another area is refused with a clear message
and what was typed stays; the descriptor is shown beside the need and in check your answers."""

import pytest
from django.urls import reverse

from assessments import assessment_services as services
from assessments.models import Assessment, SectionKind
from cases.models import DescriptorKind, OutcomeArea
from cases.needs import DESCRIPTOR_NOT_OF_AREA
from tests.assessments.test_assessment_services import child_of, consent
from tests.conftest import open_case


@pytest.fixture
def started(world):
    case = open_case(world)
    consent(case)
    services.assessment_start(actor=case.lead_professional, case=case)
    return case


def url(name: str, case, *args) -> str:
    return reverse(f"assessments:{name}", args=[case.pk, *args])


def descriptor(area_code: str, code: str):
    area = OutcomeArea.objects.get(framework__active=True, code=area_code)
    return area, area.descriptors.get(kind=DescriptorKind.NEED, code=code)


def test_the_needs_page_takes_a_descriptor_of_the_chosen_area_and_refuses_another(world, client_for, started):
    client = client_for(world.lead)
    section = Assessment.objects.get(case=started).sections.get(kind=SectionKind.NEEDS)
    education, absence = descriptor("good-education", "persistent-absence")
    _housing, arrears = descriptor("housing", "rent-arrears")
    typed = {"person": str(child_of(started).pk), "area": str(education.pk), "description": "Missed 12 days"}

    form = client.get(url("assessment-section", started, section.pk)).content.decode()
    refused = client.post(url("assessment-need-add", started), {**typed, "descriptor": str(arrears.pk)})
    added = client.post(url("assessment-need-add", started), {**typed, "descriptor": str(absence.pk)})
    listed = client.get(url("assessment-section", started, section.pk)).content.decode()
    answers = client.get(url("assessment-submit", started)).content.decode()

    assert f'<optgroup label="{education.name}">' in form
    page = refused.content.decode()
    assert refused.status_code == 200 and page.count(DESCRIPTOR_NOT_OF_AREA) == 2  # the summary and the field
    assert "Missed 12 days" in page and f'<option value="{arrears.pk}" selected>' in page
    assert added.status_code == 302
    need = Assessment.objects.get(case=started).need_links.get().need
    assert need.descriptor == absence
    assert f"{education.name}: {absence.text}" in listed
    assert f"{education.name}, {absence.text}" in answers
