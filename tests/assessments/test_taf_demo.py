"""The demo's TAF meetings and reviews, made through the services: every active family the demo lead
professionals lead has its next meeting planned, one a meeting held with minutes, and the home
page lists them with their next meeting."""

import pytest
from django.core.management import call_command
from django.db import transaction

from assessments.models import Review, TafMeeting, TafMeetingStatus
from cases.models import Case, CaseStatus, Deadline


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_the_demo_families_have_their_next_meeting_planned_and_one_held(demo, db, client):
    led = Case.objects.filter(status=CaseStatus.ACTIVE, lead_professional__username="lead.professional")
    planned = TafMeeting.objects.filter(case__in=led, status=TafMeetingStatus.PLANNED)
    held = TafMeeting.objects.filter(status=TafMeetingStatus.HELD).exclude(minutes="")

    assert led.exists()
    assert set(planned.values_list("case_id", flat=True)) == set(led.values_list("pk", flat=True))
    assert held.count() == 1
    assert Deadline.objects.filter(timescale__code="next-taf", met_at__isnull=False).exists()
    assert Review.objects.count() <= 1
    client.post("/accounts/sign-in/", {"username": "lead.professional", "password": "demo-password-123"})
    home = client.get("/").content.decode()
    assert "Your families: next TAF and review" in home
    assert "Not planned" not in home.split("Your families: next TAF and review")[1].split("<h2")[0]
