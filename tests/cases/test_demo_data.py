"""The demo data of `make run`: made through the services by the people whose work it is, once;
the duty managers' queue at every clock state, cases opened by front door decisions in every status,
a letter for every decision. Loaded once for the module and rolled back after it."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from cases.demo import demo_steps
from cases.models import (
    Case,
    CaseStatus,
    ChronologyEntry,
    Deadline,
    DeadlineAlarm,
    Family,
    Notification,
    Person,
    Timescale,
    User,
)
from cases.roles import Role
from front_door.models import (
    Channel,
    Decision,
    DecisionOutcome,
    InformationRequest,
    LetterStatus,
    Referral,
    ReferralStatus,
    ReferrerLetter,
)
from front_door.selectors import referral_queue
from tests.demo_snapshot import load_demo

DEMO_USERS = [
    "duty.manager",
    "panel.coordinator",
    "lead.professional",
    "school.practitioner",
    "team.manager",
    "analyst",
    "contact.officer",
    "bridges.manager",
    "manager.coordinator",
    "duty.lead",
    "admin",
]


# The demo is loaded once for the module: its tests run on one worker, not once on each.
pytestmark = pytest.mark.xdist_group("test_demo_data")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Loading it takes seconds: once for the module, inside a transaction rolled back at its end.
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def now(demo, db):
    return timezone.now()


def test_the_steps_run_in_order_shared_record_front_door_panels_then_the_cases(demo):
    autodiscover_modules("demo")

    assert [step.name.rsplit(".", 1)[1] for step in demo_steps()][:4] == [
        "demo_people_and_places",
        "demo_front_door",
        "demo_panels",
        "demo_case_lifecycle",
    ]


def test_loading_again_adds_nothing(demo, db, capsys):
    before = [model.objects.count() for model in (User, Family, Person, Referral, Decision, Case, ReferrerLetter)]

    call_command("load_demo_data")

    assert [model.objects.count() for model in (User, Family, Person, Referral, Decision, Case, ReferrerLetter)] == (
        before
    )
    assert "already loaded" in capsys.readouterr().out


def test_the_queue_holds_referrals_at_every_clock_state(now):
    reminder = datetime.timedelta(hours=Timescale.objects.get(code="front-door-decision").reminder_before_hours)
    # The front door's own referrals (the step ups and step down of the lead professionals' demo aside).
    queue = [r for r in referral_queue() if r.channel not in (Channel.STEP_UP, Channel.STEP_DOWN)]
    waiting = [r for r in queue if r.status == ReferralStatus.AWAITING_DECISION]
    unclaimed = [r for r in waiting if r.claimed_by_id is None]

    new = [r for r in unclaimed if now - r.received_at < datetime.timedelta(hours=1)]
    due_soon = [r for r in unclaimed if now < r.decision_due_at <= now + reminder]
    overdue = [r for r in unclaimed if r.decision_due_at < now]
    claimed = [r for r in waiting if r.claimed_by and r.claimed_by.username == "duty.manager"]
    asking = [
        r
        for r in queue
        if r.status == ReferralStatus.MORE_INFORMATION
        and r.information_requests.filter(answered_at__isnull=True).exists()
        and r.information_requests.filter(answered_at__isnull=False).exists()
    ]
    assert [len(new), len(due_soon), len(overdue), len(claimed), len(asking)] == [3, 2, 2, 1, 2]
    assert {r.channel for r in queue} == {Channel.PRACTITIONER, Channel.PUBLIC, Channel.PHONE, Channel.API}
    # It fits on the queue's first page, with room for the referral a tester makes.
    assert len(queue) < 20


def test_a_referral_moved_back_in_time_keeps_its_clocks_in_step(now):
    for referral in referral_queue().filter(status=ReferralStatus.AWAITING_DECISION):
        clock = Deadline.objects.get(
            subject_type="referral", subject_id=referral.pk, timescale__code="front-door-decision"
        )
        assert (clock.started_at, clock.due_at) == (referral.received_at, referral.decision_due_at)
        assert clock.due_at - referral.received_at == datetime.timedelta(hours=24)
        assert set(clock.alarms.values_list("kind", "goes_off_at")) == {
            (DeadlineAlarm.Kind.REMINDER, clock.remind_at),
            (DeadlineAlarm.Kind.ESCALATION, clock.due_at),
        }
    for request in InformationRequest.objects.filter(answered_at__isnull=True):
        clock = Deadline.objects.get(subject_type="information_request", subject_id=request.pk)
        assert abs(clock.started_at - request.requested_at) < datetime.timedelta(seconds=1)
        assert clock.due_at == request.due_at
        assert request.requested_at < now
    assert not Decision.objects.filter(decided_at__gt=now).exists()
    assert not Decision.objects.filter(decided_at__lt=F("referral__received_at")).exists()


def test_every_case_was_opened_by_a_front_door_decision(now):
    # (The family stepped down from social care aside: its case was opened by the handover.)
    cases = list(Case.objects.exclude(handovers__direction="step_down").select_related("family"))

    # The front door's 40 families, and the 13 the panel's demo refers to its North and South panels.
    assert len(cases) == 40 + 13
    for case in cases:
        opened_by = Referral.objects.filter(
            case=case,
            family=case.family,
            decisions__outcome=DecisionOutcome.EARLY_HELP,
            decisions__destination__opens_case=True,
            decisions__decided_at__lte=case.opened_at,
            decisions__decided_at__gt=case.opened_at - datetime.timedelta(minutes=1),
        )
        assert opened_by.exists(), case.reference
    # A year of history, oldest furthest along.
    assert min(case.opened_at for case in cases) < now - datetime.timedelta(days=300)
    assert max(case.opened_at for case in cases) > now - datetime.timedelta(days=5)


def test_families_referred_again_are_linked_to_the_people_already_known(demo, db):
    # Decided re-referrals joined the family's open case.
    joined = [case for case in Case.objects.all() if case.referrals.exclude(channel=Channel.STEP_UP).count() > 1]
    assert len(joined) == 2
    # A child in today's queue is linked to the record of a family whose case has closed.
    again = Referral.objects.filter(status=ReferralStatus.AWAITING_DECISION, family__cases__status=CaseStatus.CLOSED)
    assert again.count() == 1
    assert again.get().people.filter(person__isnull=False).exists()


def test_every_decision_has_a_letter_and_every_referrer_with_an_email_is_sent_it(demo, db):
    # The front door's own (a step up's letter goes to its lead professional, as the outbox sends it).
    decisions = Decision.objects.exclude(referral__channel=Channel.STEP_UP)
    letters = (
        ReferrerLetter.objects.filter(decision__isnull=False)
        .exclude(referral__channel=Channel.STEP_UP)
        .select_related("referral")
    )

    assert decisions.count() == letters.count() > 40
    assert {letter.pdf[:4] for letter in letters} == {b"%PDF"}
    emailed = [letter for letter in letters if letter.referral.referrer_email]
    assert emailed
    assert Notification.objects.filter(
        dedupe_key__in=[f"referrer-letter:{letter.pk}" for letter in emailed], attachment__isnull=False
    ).count() == len(emailed)
    # Made minutes after its decision, which met the 72-hour clock.
    for letter in letters.select_related("decision"):
        assert datetime.timedelta(0) < letter.created_at - letter.decision.decided_at < datetime.timedelta(hours=1)
    # A letter without an email address made over a week ago was told by phone; newer ones wait on
    # the front door's list to post, their clocks running.
    unemailed = [letter for letter in letters if not letter.referral.referrer_email]
    to_post = {letter.referral_id for letter in unemailed if letter.status == LetterStatus.TO_POST}
    assert to_post
    assert {letter.status for letter in unemailed} == {LetterStatus.TO_POST, LetterStatus.PHONED}
    for letter in unemailed:
        if letter.status == LetterStatus.PHONED:
            assert letter.sent_by.username == "contact.officer"
            assert letter.sent_at == letter.created_at + datetime.timedelta(hours=1)
    assert (
        set(
            Deadline.objects.filter(
                timescale__code="referrer-letter",
                met_at__isnull=True,
                subject_id__in=decisions.values("referral"),
            ).values_list("subject_id", flat=True)
        )
        == to_post
    )
    for clock in Deadline.objects.filter(
        timescale__code="referrer-letter", met_at__isnull=False, subject_id__in=decisions.values("referral")
    ):
        first = (
            letters.filter(referral_id=clock.subject_id).exclude(status=LetterStatus.REPLACED).earliest("created_at")
        )
        assert first.status in (LetterStatus.EMAILED, LetterStatus.PHONED)
        assert clock.met_at == first.sent_at
        assert clock.started_at == first.referral.received_at
    outcomes = Counter(Decision.objects.values_list("outcome", flat=True))
    assert set(outcomes) == set(DecisionOutcome.values)


def test_cases_are_in_every_status_in_the_demo_proportions(demo, db):
    # The lifecycle moves the front door's cases; the panel's demo keeps its own (North and South).
    panel_localities = Case.objects.filter(
        referrals__decisions__destination__code="early-help-panel", locality__panels__isnull=False
    ).distinct()
    moved = Case.objects.exclude(pk__in=panel_localities.values("pk")).exclude(handovers__direction="step_down")
    # (the outcomes' demo then takes six active families through to a closure checked six months on,
    # one for each way `outcomes.demo.JOURNEYS` goes)
    assert Counter(moved.values_list("status", flat=True)) == {
        CaseStatus.AWAITING_ALLOCATION: 8,
        CaseStatus.AWAITING_LEAD_PROFESSIONAL: 6,
        CaseStatus.ACTIVE: 10,
        CaseStatus.CLOSURE_REQUESTED: 4,
        CaseStatus.CLOSED: 12,
    }
    # The panel's: waiting (on the next agenda, on the list, sent back), allocated, not for the panel.
    assert Counter(panel_localities.values_list("status", flat=True)) == {
        CaseStatus.AWAITING_ALLOCATION: 7,
        CaseStatus.AWAITING_LEAD_PROFESSIONAL: 3,
        CaseStatus.CLOSED: 3,
    }
    # The lifecycle leaves every case waiting for a panel that exists where it is.
    assert not Case.objects.exclude(panel_route="").exclude(status=CaseStatus.AWAITING_ALLOCATION).exists()


def test_no_case_action_is_taken_by_a_superuser(demo, db):
    admin = User.objects.get(username="admin")

    assert admin.is_superuser
    assert admin.roles == {Role.ADMINISTRATOR}
    assert not ChronologyEntry.objects.filter(author__is_superuser=True).exists()
    # Only a referral from the public form arrives with no author: its referrer has no account.
    assert not ChronologyEntry.objects.filter(author__isnull=True).exclude(event="referral_received").exists()
    assert ChronologyEntry.objects.filter(event="referral_received", author__isnull=True).exists()
    # A referral's arrival is the referrer's (or the contact officer's who recorded it), never the
    # duty manager's who decided it.
    assert not ChronologyEntry.objects.filter(
        event="referral_received", author__groups__name=Role.DUTY_MANAGER
    ).exists()
    assert not Decision.objects.filter(decided_by__is_superuser=True).exists()
    # The charity's own manager assigns its keyworker.
    assert set(
        ChronologyEntry.objects.filter(
            event="case_assign_lead_professional", case__lead_agency__name="Bridges Family Charity"
        ).values_list("author__username", flat=True)
    ) == {"bridges.manager"}


def test_the_multi_role_users_hold_both_roles_and_use_them(demo, db):
    coordinator = User.objects.get(username="manager.coordinator")
    duty_lead = User.objects.get(username="duty.lead")

    assert coordinator.roles == {Role.TEAM_MANAGER, Role.PANEL_COORDINATOR}
    assert duty_lead.roles == {Role.DUTY_MANAGER, Role.LEAD_PROFESSIONAL}
    authored = ChronologyEntry.objects.filter(author=coordinator).values_list("event", flat=True)
    assert {"case_allocate", "case_assign_lead_professional"} <= set(authored)
    assert Case.objects.filter(lead_professional=duty_lead).exists()
    assert Decision.objects.filter(decided_by=duty_lead).exists()
    assert Referral.objects.filter(claimed_by=duty_lead).exists()


@pytest.mark.parametrize("username", DEMO_USERS)
def test_each_demo_user_signs_in(demo, db, client, username):
    response = client.post("/accounts/sign-in/", {"username": username, "password": "demo-password-123"}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert User.objects.get(username=username).first_name in response.content.decode()


def test_the_duty_manager_sees_the_queue(demo, db, client):
    client.post("/accounts/sign-in/", {"username": "duty.manager", "password": "demo-password-123"})

    page = client.get("/front-door/").content.decode()

    for referral in referral_queue():
        assert referral.reference in page


def test_demo_people_are_synthetic(demo, db):
    assert not Person.objects.exclude(nhs_number="").exclude(nhs_number__startswith="999").exists()


def test_the_lead_professionals_families_have_outcome_readings_over_time(demo, db, client):
    from assessments.models import Reading

    lead = User.objects.get(username="lead.professional")
    readings = Reading.objects.filter(case__lead_professional=lead, case__status=CaseStatus.ACTIVE)
    star = readings.filter(tool__code="family-star-plus")
    cases_with_a_journey = [
        case_id
        for case_id, count in Counter(star.values_list("case_id", flat=True)).items()
        if count >= 3 and len(set(star.filter(case_id=case_id).values_list("taken_on", flat=True))) >= 3
    ]
    assert cases_with_a_journey
    assert readings.filter(tool__code="my-star", person__isnull=False).exists()
    assert not readings.filter(taken_on__gt=timezone.localdate()).exists()
    assert not readings.filter(taken_on__lt=F("case__opened_at__date")).exists()
    # The case page shows them, charted.
    client.post("/accounts/sign-in/", {"username": "lead.professional", "password": "demo-password-123"})
    page = client.get(f"/cases/{cases_with_a_journey[0]}/").content.decode()
    assert "Family Star Plus" in page and "<svg" in page
