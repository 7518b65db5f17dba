"""The synthetic county: proportions, integrity and that the pages work on it."""

import datetime
from collections import Counter

from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from assessments.configuration import seed_outcome_tools
from bench.management.commands.generate_dataset import BENCHMARK_AGENDA_ITEMS, benchmark_meeting
from bench.outcome_work import LARGEST_CASE_ENTRIES, REPORT_CASE_ENTRIES
from cases.configuration import seed_configuration
from cases.models import Case, CaseStatus, ChronologyEntry, Deadline, DeadlineAlarm, Family, Locality, Person, User
from front_door.models import Referral, ReferralStatus
from outcomes.closure_config import seed_destinations
from panels.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingAction,
    MeetingStatus,
    Panel,
    PanelDecision,
    PanelMember,
    PanelOutcome,
)
from panels.selectors import waiting_list


def assert_every_foreign_key_points_somewhere(app_label: str) -> None:
    """Foreign keys are triggers, off while the county loads: check by hand that each of the app's
    points at a row."""
    with connection.cursor() as cursor:
        for model in django_apps.get_app_config(app_label).get_models():
            for field in model._meta.concrete_fields:
                if field.is_relation:
                    table, target = model._meta.db_table, field.related_model._meta.db_table
                    cursor.execute(
                        f"SELECT count(*) FROM {table} t LEFT JOIN {target} r ON r.id = t.{field.column}"  # noqa: S608
                        f" WHERE t.{field.column} IS NOT NULL AND r.id IS NULL"
                    )
                    assert cursor.fetchone() == (0,), f"{table}.{field.column}"


def test_a_small_county_is_generated_with_every_state_and_valid_links(db, client):
    call_command("generate_dataset", families=120, seed=7)

    assert Family.objects.count() == 120
    assert 250 <= Person.objects.count() <= 400
    assert Referral.objects.count() == 500
    assert Referral.objects.filter(duplicate_of__isnull=False).exists()
    assert Referral.objects.filter(status=ReferralStatus.AWAITING_DECISION).count() >= 20
    assert Case.objects.count() == 80
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    # 50 entries a case, and two closed cases' long histories (bench.outcome_work).
    assert ChronologyEntry.objects.count() == 80 * 50 + (REPORT_CASE_ENTRIES - 50) + (LARGEST_CASE_ENTRIES - 50)
    assert Person.objects.filter(last_name__in=["Nguyễn", "Ó Súilleabháin", "Wiśniewski"]).exists()
    assert not Person.objects.exclude(nhs_number__startswith="999").exists()
    # Triggers were off for the load: check by hand that every foreign key points somewhere.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM cases_chronologyentry c LEFT JOIN cases_case k ON k.id = c.case_id
               WHERE k.id IS NULL"""
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(
            """SELECT count(*) FROM front_door_referralperson p LEFT JOIN cases_person x ON x.id = p.person_id
               WHERE p.person_id IS NOT NULL AND x.id IS NULL"""
        )
        assert cursor.fetchone() == (0,)

    lead = User.objects.filter(username__startswith="bench.lead").first()
    client.force_login(lead)
    case = Case.objects.filter(lead_professional=lead).first()
    assert client.get("/").status_code == 200
    assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_the_same_seed_gives_the_same_county(db):
    call_command("generate_dataset", families=20, seed=3)
    first = list(Person.objects.order_by("id").values_list("first_name", "last_name", "date_of_birth", "nhs_number"))
    call_command("flush", interactive=False)
    seed_configuration(django_apps)
    seed_outcome_tools(django_apps)
    seed_destinations(django_apps)
    call_command("generate_dataset", families=20, seed=3)
    second = list(Person.objects.order_by("id").values_list("first_name", "last_name", "date_of_birth", "nhs_number"))

    assert [(f, s, n) for f, s, _, n in first] == [(f, s, n) for f, s, _, n in second]


def test_a_second_run_adds_to_the_county_without_clashing(db):
    call_command("generate_dataset", families=20, seed=3)
    call_command("generate_dataset", families=20, seed=3)

    assert Family.objects.count() == 40


def _check_constraints(model) -> None:
    """Every check constraint of `model` holds for every row (the load ran with triggers off, but
    checks are checked by COPY too: this says which, by name, if one ever fails)."""
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if condition is not None and constraint.__class__.__name__ == "CheckConstraint":
            assert not model.objects.exclude(condition).exists(), constraint.name


def test_panels_meet_fortnightly_for_a_year_with_agendas_decisions_and_a_waiting_list(db, client):
    call_command("generate_dataset", families=600, seed=5)

    localities = Locality.objects.filter(code__startswith="bench-")
    panels = Panel.objects.filter(locality__in=localities)
    assert panels.count() == localities.count() == 8
    assert not PanelMember.objects.exclude(panel__in=panels).exists()
    assert all(panel.members.count() >= 4 for panel in panels)
    now = timezone.now()
    for panel in panels:
        held = panel.meetings.filter(status=MeetingStatus.HELD)
        ahead = panel.meetings.filter(status=MeetingStatus.SCHEDULED)
        assert 24 <= held.count() <= 27
        assert ahead.count() == 3 and not ahead.filter(starts_at__lt=now).exists()
        assert not held.filter(starts_at__gte=now).exists()
        starts = list(panel.meetings.order_by("starts_at").values_list("slot_on", flat=True))
        assert {(b - a).days for a, b in zip(starts, starts[1:], strict=False)} <= {14, 28}
        assert {d.weekday() for d in starts} == {panel.weekday}
        # Every held meeting has an attendance row per member.
        assert Attendance.objects.filter(meeting__in=held).count() == held.count() * panel.members.count()
    # Agenda items in proportion: held meetings discuss their locality's cases, each item decided.
    held_items = AgendaItem.objects.filter(meeting__status=MeetingStatus.HELD)
    discussed = held_items.values("case").distinct().count()
    # A small county's meetings discuss most of the year's cases; a large one's 8 to 20 a meeting.
    year = Case.objects.filter(panel_route="", opened_at__gt=now - datetime.timedelta(weeks=48))
    assert year.count() / 2 < discussed <= held_items.count()
    per_meeting = Counter(held_items.values_list("meeting", flat=True))
    deferred_in = Counter(
        PanelDecision.objects.filter(outcome=PanelOutcome.DEFER).values_list("deferred_to", flat=True)
    )
    assert max(n - deferred_in[meeting] for meeting, n in per_meeting.items()) <= 20
    assert not held_items.exclude(case__locality=F("meeting__panel__locality")).exists()
    assert held_items.filter(decisions__isnull=True).count() == 0
    assert PanelDecision.objects.count() == held_items.count()
    outcomes = dict(PanelDecision.objects.values_list("outcome").annotate(n=Count("id")))
    assert outcomes[PanelOutcome.ALLOCATE] > outcomes[PanelOutcome.DEFER] > 0
    assert outcomes[PanelOutcome.NOT_FOR_PANEL] > 0
    for decision in PanelDecision.objects.filter(outcome=PanelOutcome.DEFER).select_related("item"):
        assert AgendaItem.objects.filter(meeting=decision.deferred_to, case_id=decision.item.case_id).exists()
        assert decision.deferred_to.starts_at > decision.item.meeting.starts_at
    assert not AgendaItem.objects.filter(meeting__status=MeetingStatus.SCHEDULED, decisions__isnull=False).exists()
    assert MeetingAction.objects.exists()
    # The waiting list: most cases awaiting allocation, each with its running 10-day clock.
    waiting = Case.objects.exclude(panel_route="")
    awaiting = Case.objects.filter(status=CaseStatus.AWAITING_ALLOCATION)
    assert awaiting.count() / 2 < waiting.count() <= awaiting.count()
    clocks = Deadline.objects.filter(timescale__code="front-door-to-offer", subject_type="case")
    assert set(clocks.values_list("subject_id", flat=True)) == set(waiting.values_list("pk", flat=True))
    for clock in clocks:
        assert clock.due_at - clock.started_at == datetime.timedelta(days=10)
    assert clocks.filter(due_at__lt=now).exists() and clocks.filter(due_at__gt=now).exists()
    assert DeadlineAlarm.objects.filter(deadline__in=clocks.filter(due_at__gt=now)).exists()
    # The benchmark's meeting: the first locality's next meeting, its agenda of 20 sent.
    meeting = benchmark_meeting()
    assert meeting.panel.locality.code == "bench-0"
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at > now
    assert meeting.items.count() == BENCHMARK_AGENDA_ITEMS
    assert sorted(meeting.items.values_list("position", flat=True)) == list(range(1, BENCHMARK_AGENDA_ITEMS + 1))
    assert meeting.agenda_sent_at < now
    # Every check constraint of the panel's rows and the cases' waiting fields holds.
    for model in (Panel, PanelMember, Meeting, AgendaItem, Attendance, PanelDecision, MeetingAction, Case):
        _check_constraints(model)
    # The coordinator's waiting list works on it.
    coordinator = User.objects.get(username="bench.panel0")
    panel = panels.get(locality__code="bench-0")
    assert len(list(waiting_list(user=coordinator, panel=panel))) == waiting.filter(locality=panel.locality).count()


def test_the_lead_professionals_work_is_generated_in_proportion_and_checks_out(db, client):
    """Assessments, plans, actions, TAF meetings, reviews and readings for the led cases, every row
    as the database's constraints and the pages expect (the load runs with triggers off)."""
    from assessments.models import (
        Assessment,
        AssessmentSection,
        PlanAction,
        Reading,
        Review,
        ReviewProgress,
        Score,
        TafMeeting,
        TafMeetingStatus,
    )
    from bench.lead_work import benchmark_lead_case

    call_command("generate_dataset", families=150, seed=11)

    led = Case.objects.filter(lead_professional__isnull=False)
    assert Assessment.objects.values("case").distinct().count() == led.count()
    assert set(Assessment.objects.values_list("status", flat=True)) >= {"approved", "in_progress"}
    assert AssessmentSection.objects.filter(kind="child_domains", person__isnull=False).exists()
    assert PlanAction.objects.filter(owner_person__isnull=False).exists()
    assert PlanAction.objects.exclude(owner_user__username__startswith="bench.lead").exclude(owner_user=None).exists()
    assert Review.objects.exists() and ReviewProgress.objects.exists()
    assert Score.objects.count() == Reading.objects.count() * 10
    active = led.filter(status=CaseStatus.ACTIVE)
    planned = TafMeeting.objects.filter(status=TafMeetingStatus.PLANNED).values_list("case_id", flat=True)
    assert set(planned) <= set(active.values_list("id", flat=True))
    # Every running clock of the work belongs to an open case, one a kind.
    running = Deadline.objects.filter(
        timescale__code__in=["assessment", "next-taf", "review-1", "review-2", "review-3", "review-next"],
        met_at__isnull=True,
        cancelled_at__isnull=True,
    )
    assert running.exists() and not running.exclude(case__status=CaseStatus.ACTIVE).exists()
    assert_every_foreign_key_points_somewhere("assessments")
    # A second run adds nothing to the cases that have it.
    before = Assessment.objects.count()
    import random

    from bench.lead_work import LeadWork

    LeadWork(rng=random.Random(1), now=timezone.now(), log=lambda line: None).run()
    assert Assessment.objects.count() == before

    case = benchmark_lead_case()
    client.force_login(case.lead_professional)
    for url in (
        f"/cases/{case.pk}/",
        reverse("assessments:assessment", args=[case.pk]),
        reverse("assessments:plan", args=[case.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_closures_outcomes_and_claims_are_generated_in_proportion_and_check_out(db, client):
    """Every closed case that had a lead professional and needs has its signed-off closure with an
    outcome for each need; the six-month checks answered, overdue or running; claims for families
    that meet the rule and others waiting on the claims list; two cases with long histories for the
    case reports; every row as the constraints and the pages expect (the load runs with triggers off)."""
    import random

    from bench.outcome_work import OutcomeWork, report_cases
    from cases.models import IdentifiedNeed
    from outcomes.claims import claim_candidates, claim_checks
    from outcomes.models import Claim, Closure, ClosureStatus, NeedOutcome

    call_command("generate_dataset", families=600, seed=5)

    closed = Case.objects.filter(status=CaseStatus.CLOSED, lead_professional__isnull=False, needs__isnull=False)
    signed_off = Closure.objects.filter(status=ClosureStatus.SIGNED_OFF)
    assert set(signed_off.values_list("case_id", flat=True)) == set(closed.values_list("id", flat=True))
    assert set(Closure.objects.filter(status=ClosureStatus.REQUESTED).values_list("case__status", flat=True)) == {
        CaseStatus.CLOSURE_REQUESTED
    }
    assert Closure.objects.filter(status=ClosureStatus.RETURNED).exists()
    # Each need of a closure's case answered once, with evidence.
    for closure in signed_off[:20]:
        needs = set(IdentifiedNeed.objects.filter(case_id=closure.case_id).values_list("id", flat=True))
        assert set(closure.need_outcomes.values_list("need_id", flat=True)) == needs
    assert not NeedOutcome.objects.filter(evidence_note="").exists()
    # The six-month checks: answered ones have every achieved outcome's answer; the rest have a clock.
    checked = signed_off.filter(sustained_checked_at__isnull=False)
    assert checked.exists()
    assert not NeedOutcome.objects.filter(closure__in=checked, sustained=None).exclude(achieved="no").exists()
    clocks = Deadline.objects.filter(timescale__code="sustained-check", subject_type="closure")
    assert (
        clocks.filter(met_at__isnull=True).exists() and clocks.filter(met_at__isnull=False).count() == checked.count()
    )
    # Claimed families met the rule; the claims list shows the others that wait, some meeting it.
    claimed = list(Claim.objects.select_related("closure__case"))
    assert claimed and all(check.meets for check in claim_checks([claim.closure for claim in claimed]))
    analyst = User.objects.get(username="bench.analyst0")
    waiting = claim_checks(list(claim_candidates(user=analyst)))
    assert waiting and {check.meets for check in waiting} == {True, False}
    # The case reports' cases.
    report_id, largest_id = report_cases()
    assert Case.objects.get(pk=report_id).chronology.count() == REPORT_CASE_ENTRIES
    assert Case.objects.get(pk=largest_id).chronology.count() == LARGEST_CASE_ENTRIES
    assert_every_foreign_key_points_somewhere("outcomes")
    # A second run adds nothing to the cases that have a closure.
    before = Closure.objects.count()
    OutcomeWork(rng=random.Random(1), now=timezone.now(), log=lambda line: None).run()
    assert Closure.objects.count() == before

    client.force_login(analyst)
    assert client.get(reverse("outcomes:claims")).status_code == 200
