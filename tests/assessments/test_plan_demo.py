"""The family plans of the demo data: `school.practitioner` is a member of the team around a family
of `lead.professional` with an action in its plan; a plan has an overdue action; an agreed plan has
its version. Loaded once for the module and rolled back after it."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from assessments.models import Plan, PlanAction
from cases.models import CaseMember


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_the_demo_has_family_plans(demo, db):
    plans = list(Plan.objects.filter(case__lead_professional__username="lead.professional"))
    school_actions = PlanAction.objects.filter(
        owner_user__username="school.practitioner", case__lead_professional__username="lead.professional"
    )

    assert plans
    assert school_actions.exists()
    action = school_actions.first()
    assert CaseMember.objects.filter(case=action.case, user=action.owner_user, ended_at__isnull=True).exists()
    assert action.updates.exists()
    assert PlanAction.objects.filter(due_on__lt=timezone.localdate(), ended_at__isnull=True).exists()
    agreed = [plan for plan in plans if plan.agreed_on]
    assert agreed and agreed[0].versions.filter(reason="Agreed with the family").exists()
