"""What migrations seed for the lead professional's work: the Supporting Families 2022 framework with
its ten headline outcomes (active), and the `next-taf` and `review-next` clocks."""

import datetime

from dateutil.relativedelta import relativedelta
from django.apps import apps as django_apps
from django.utils import timezone

from cases.configuration import seed_outcome_framework
from cases.deadlines import deadline_start
from cases.models import OutcomeArea, OutcomeFramework, Timescale
from tests.conftest import open_case


def test_supporting_families_2022_is_the_active_framework_with_its_ten_headline_outcomes(db):
    framework = OutcomeFramework.objects.get(active=True)

    assert str(framework) == "Supporting Families 2022"
    assert list(framework.areas.order_by("position").values_list("position", "name")) == [
        (1, "Getting a good education"),
        (2, "Good early years development"),
        (3, "Improved mental and physical health"),
        (4, "Better managed substance use"),
        (5, "Improved family relationships"),
        (6, "Children safe from abuse and exploitation"),
        (7, "Families diverted from crime"),
        (8, "Safe from domestic abuse"),
        (9, "Secure housing"),
        (10, "Financial stability"),
    ]


def test_seeding_again_leaves_a_councils_edits_and_active_version_alone(db):
    OutcomeArea.objects.filter(code="housing").update(name="Safe and secure homes", position=11)
    local = OutcomeFramework.objects.create(name="Local outcomes", version="1")
    OutcomeFramework.objects.update(active=False)
    OutcomeFramework.objects.filter(pk=local.pk).update(active=True)

    seed_outcome_framework(django_apps)

    assert OutcomeFramework.objects.count() == 3  # with Troubled Families 2015, seeded inactive
    assert OutcomeFramework.objects.get(active=True) == local
    housing = OutcomeArea.objects.get(code="housing")
    assert (housing.name, housing.position) == ("Safe and secure homes", 11)


def test_a_fresh_seed_with_another_version_active_adds_supporting_families_inactive(db):
    OutcomeArea.objects.all().delete()
    OutcomeFramework.objects.all().delete()
    local = OutcomeFramework.objects.create(name="Local outcomes", version="1", active=True)

    seed_outcome_framework(django_apps)

    seeded = OutcomeFramework.objects.get(name="Supporting Families", version="2022")
    assert seeded.active is False
    assert seeded.areas.count() == 10
    assert OutcomeFramework.objects.get(active=True) == local


def test_the_next_taf_and_review_next_clocks_are_seeded(db):
    rows = {
        t.code: (t.name, t.amount, t.unit, t.reminder_before_hours)
        for t in Timescale.objects.filter(code__in=["next-taf", "review-next"])
    }

    assert rows == {
        "next-taf": ("Next Team Around the Family meeting", 6, "weeks", 72),
        "review-next": ("Next review", 3, "months", 72),
    }


def test_the_next_taf_clock_is_due_on_the_date_the_team_set(world):
    case = open_case(world, status="active")
    meeting = timezone.now() + datetime.timedelta(days=23)

    clock = deadline_start(
        timescale_code="next-taf",
        subject_type="case",
        subject_id=case.pk,
        case=case,
        reference=case.reference,
        due_at=meeting,
    )

    assert clock.due_at == meeting
    assert clock.remind_at == meeting - datetime.timedelta(hours=72)


def test_a_review_after_the_third_is_due_three_months_on(world):
    case = open_case(world, status="active")
    third_review = timezone.now()

    clock = deadline_start(
        timescale_code="review-next",
        subject_type="case",
        subject_id=case.pk,
        case=case,
        reference=case.reference,
        started_at=third_review,
    )

    assert clock.due_at == timezone.localtime(third_review) + relativedelta(months=3)
