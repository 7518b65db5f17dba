"""The lead professional's work in the demo data, loaded once for the module and rolled back after
it (loading the demo takes most of a minute): `lead.professional`'s families have assessments at
every stage, family plans (`school.practitioner` owns an action in one), TAF meetings and reviews,
step ups, a step down and family group conferences, consent per person and the family
network, all made through the services."""

import pytest
from django.db import transaction
from django.utils import timezone

from assessments.assessment_permissions import assessment_consent_state
from assessments.genogram import genogram_for_case
from assessments.models import (
    Assessment,
    AssessmentStatus,
    FamilyGroupConference,
    Plan,
    PlanAction,
    Review,
    TafMeeting,
    TafMeetingStatus,
)
from cases.demo import demo_steps
from cases.models import (
    Case,
    CaseMember,
    CaseStatus,
    ChronologyEntry,
    Consent,
    Deadline,
    FamilyMembership,
    Notification,
    PanelRoute,
    Relationship,
    User,
)
from cases.permissions import case_get_for_user
from front_door import selectors
from front_door.models import Channel, Handover, ReferralStatus
from tests.demo_snapshot import load_demo

# The demo is loaded once for the module: its tests run on one worker, not once on each.
pytestmark = pytest.mark.xdist_group("test_demo_lead_work")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


# --- assessment demo ----------------------------------------


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


# --- plan demo ----------------------------------------


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


# --- taf demo ----------------------------------------


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


# --- step demo ----------------------------------------


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


# --- consent and the family network ----------------------------------------


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


# --- Closures and their outcomes (the outcomes app's step, after the lead professionals' work) ----------


def test_the_demo_closures_record_their_outcomes_and_one_family_meets_the_claim_rule(demo, db):
    from outcomes import claims
    from outcomes.models import Closure, ClosureStatus

    waiting = Case.objects.filter(status=CaseStatus.CLOSURE_REQUESTED)
    assert waiting.exists()
    for case in waiting:
        closure = Closure.objects.get(case=case, status=ClosureStatus.REQUESTED)
        assert closure.need_outcomes.count() == case.needs.count() >= 1
    checked = list(
        Closure.objects.filter(status=ClosureStatus.SIGNED_OFF, sustained_checked_at__isnull=False).select_related(
            "case"
        )
    )
    checks = claims.claim_checks(checked)
    assert sum(check.meets for check in checks) == 1
    # Every family failing the rule fails one condition only; together they fail each condition the
    # services let a case fail (`outcomes.demo.JOURNEYS`).
    failed = [[words for words, met in check.conditions if not met] for check in checks if not check.meets]
    assert all(len(unmet) == 1 for unmet in failed)
    assert sorted(unmet for (unmet,) in failed) == sorted(
        [
            "Every need's outcome achieved and sustained six months after closure",  # did not last
            "Every need's outcome achieved and sustained six months after closure",  # only partly achieved
            f"At least {claims.MIN_NEEDS} needs identified, each with evidence",
            "A plan covering every need",
            "A whole-family assessment, approved",
        ]
    )
    partly = [check for check in checks if any(o.achieved == "partly" for o in check.closure.need_outcomes.all())]
    assert [check.meets for check in partly] == [False]


def test_a_family_is_referred_again_within_12_months_of_its_closure_and_the_dashboard_counts_it(demo, db):
    import datetime

    from front_door.models import Referral
    from outcomes.dashboard import selectors as dashboard
    from outcomes.models import Closure, ClosureStatus

    linked = list(Referral.objects.filter(re_referral_of__isnull=False).select_related("re_referral_of"))

    assert linked
    for referral in linked:
        closed = referral.re_referral_of
        assert closed.status == CaseStatus.CLOSED and referral.family_id == closed.family_id
        assert referral.received_at - datetime.timedelta(days=365) <= closed.closed_at <= referral.received_at
    assert Closure.objects.filter(
        case__in=[referral.re_referral_of for referral in linked], status=ClosureStatus.SIGNED_OFF
    ).exists()
    since, until = dashboard.period_bounds(*dashboard.default_period())
    tables = {table.key: table for table in dashboard.volumes(dashboard.Scope(since, until))}
    label, re_referrals, _share = tables["re-referrals"].rows[1]
    assert label.startswith("Of which re-referrals") and re_referrals >= 1
