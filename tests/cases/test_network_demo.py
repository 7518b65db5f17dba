"""The demo data's consent and family network (assessments/demo_consent_network.py): on
`lead.professional`'s active cases, consent per person witnessed, a young person's own consent with a
judgement, a grandmother beyond the household with a confidential address, a former partner not to
be contacted, relationships for the genograms, and a withdrawal of sharing with health that told the
lead professional."""

import pytest
from django.core.management import call_command
from django.db import transaction

from assessments.genogram import genogram_for_case
from cases.demo import demo_steps
from cases.models import Case, CaseStatus, Consent, FamilyMembership, Notification, Relationship, User
from cases.permissions import case_get_for_user


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_the_step_runs_after_the_lifecycle_and_before_the_assessments(demo):
    orders = {step.name.rsplit(".", 1)[1]: step.order for step in demo_steps()}
    assert orders["demo_case_lifecycle"] < orders["demo_consent_and_network"] == 440
    if "demo_assessments" in orders:
        assert orders["demo_consent_and_network"] < orders["demo_assessments"]


def test_the_lead_professionals_cases_have_consent_and_a_network(demo, db):
    lead = User.objects.get(username="lead.professional")
    cases = Case.objects.filter(lead_professional=lead, status=CaseStatus.ACTIVE)
    consents = Consent.objects.filter(case__in=cases)
    assert consents.filter(scope="assessment", status="given", witness__gt="", method="in_person").exists()
    assert consents.filter(scope="assessment", status="given").exclude(capacity_judgement="").exists()
    withdrawn = consents.get(scope="sharing", status="withdrawn")
    assert Notification.objects.filter(dedupe_key=f"consent-sharing-stopped:{withdrawn.pk}:{lead.pk}").exists()
    wider = FamilyMembership.objects.filter(family__cases__in=cases, in_household=False).select_related("person")
    assert any(m.person.address_confidential and m.person.address for m in wider)
    assert any(m.person.do_not_contact and m.parental_responsibility for m in wider)
    assert Relationship.objects.filter(kind="former_partner", person__memberships__family__cases__in=cases).exists()
    # Every case's genogram has lines: a relationship sentence at least.
    for case in cases:
        case = case_get_for_user(user=lead, case_id=case.pk, log=False)
        lines = genogram_for_case(case, user=lead).lines
        assert any(" is the " in line or " are " in line for line in lines), case.reference
