"""The demo's handovers and family group conferences, made through the services: a step up waiting
at the top of the duty managers' queue and one decided, a family stepped down waiting on the panel's
waiting list with its handover summary, one conference offered and one held."""

import pytest
from django.core.management import call_command
from django.db import transaction

from assessments.models import FamilyGroupConference
from cases.models import PanelRoute
from front_door import selectors
from front_door.models import Channel, Handover, ReferralStatus


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_the_demo_has_step_ups_a_step_down_and_conferences(demo, db):
    step_ups = Handover.objects.filter(direction="step_up").select_related("referral")
    assert sorted(h.referral.status for h in step_ups) == [ReferralStatus.AWAITING_DECISION, ReferralStatus.DECIDED]
    waiting = next(h.referral for h in step_ups if h.referral.status == ReferralStatus.AWAITING_DECISION)
    assert selectors.referral_queue().first().pk == waiting.pk

    step_down = Handover.objects.select_related("case", "referral").get(direction="step_down")
    assert step_down.referral.channel == Channel.STEP_DOWN and step_down.summary
    assert step_down.case.panel_route == PanelRoute.STEPPED_DOWN

    assert FamilyGroupConference.objects.filter(response="offered").count() == 1
    assert FamilyGroupConference.objects.filter(held_on__isnull=False).exclude(family_plan="").count() == 1
