"""The assessment's demo step: `lead.professional`'s active families hold an approved assessment
with needs, one waiting for approval, one returned and one in progress, all made through the
services (the chronology says so)."""

import pytest
from django.core.management import call_command
from django.db import transaction

from assessments.assessment_permissions import assessment_consent_state
from assessments.models import Assessment, AssessmentStatus
from cases.models import Case, CaseStatus, ChronologyEntry


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_assessments_at_every_stage(demo, db):
    assessments = Assessment.objects.filter(case__lead_professional__username="lead.professional")
    statuses = set(assessments.values_list("status", flat=True))

    assert set(AssessmentStatus.values) <= statuses
    approved = assessments.filter(status=AssessmentStatus.APPROVED).first()
    assert approved.need_links.count() >= 1 and approved.decided_by.username == "team.manager"
    returned = assessments.get(status=AssessmentStatus.RETURNED)
    assert returned.decision_note
    for assessment in assessments:
        assert ChronologyEntry.objects.filter(case=assessment.case, event="assessment-started").exists()


def test_every_active_family_of_the_lead_has_consent_to_assess(demo, db):
    cases = Case.objects.filter(lead_professional__username="lead.professional", status=CaseStatus.ACTIVE)

    assert cases.exists()
    assert all(assessment_consent_state(case) for case in cases)
