"""The duty managers' pages: the queue (rows, filters, permission matrix, queries that do not grow
with the queue), the triage page (the referral, consent, matching, the family's history, claims,
decisions and amendments through HTTP) and the navigation."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import AccessLog, Case, LevelOfNeed, Person
from cases.roles import Role
from front_door import services
from front_door.models import Channel, Decision, DecisionOutcome, InformationRequest, Referral, ReferralStatus
from front_door.services import PersonData, ReferralClaimed
from tests.conftest import open_case
from tests.factories import PersonFactory, UserFactory
from tests.front_door.helpers import person_data

MAX_LIST_QUERIES = 12
QUEUE = "/front-door/"


def triage_url(referral) -> str:
    return reverse("front_door:triage", args=[referral.pk])


def age_today(born: datetime.date) -> int:
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# --- The queue --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("duty_manager", 200),
        ("school_practitioner", 403),
        ("lead", 403),
        ("analyst", 403),
        ("panel_coordinator", 403),
        ("team_manager", 403),
        ("administrator", 403),
    ],
)
def test_queue_permission_matrix(world, client_for, role, status):
    response = client_for(getattr(world, role)).get(QUEUE)

    assert response.status_code == status


def test_queue_row_shows_what_the_duty_manager_needs(world, client_for, submit_referral, child_data):
    unborn = PersonData(
        kind="unborn",
        first_name="Baby",
        last_name="Okafor",
        expected_date_of_birth=timezone.localdate() + datetime.timedelta(days=60),
    )
    first = submit_referral()
    repeat = submit_referral(
        people=[child_data, unborn],
        consent_given=False,
        consent_not_sought_reason="Asking would put Amara at risk of harm at home.",
    )
    services.referral_claim(actor=world.duty_manager, referral=repeat)

    response = client_for(world.duty_manager).get(QUEUE)

    content = response.content.decode()
    assert f'href="{triage_url(first)}">{first.reference}</a>' in content
    assert f"Possible duplicate of {first.reference}" in content
    assert "23 hours left" in content
    assert "Practitioner web form" in content
    assert f"Amara Okafor ({age_today(datetime.date(2016, 5, 17))})<br>Baby Okafor (unborn)" in content
    assert "Level 3: Complex needs" in content
    assert world.duty_manager.get_full_name() in content
    assert "Not claimed" in content
    assert "No consent: risk" in content
    assert "Consent given" in content
    assert content.index(first.reference) < content.index(f'">{repeat.reference}</a>')


def test_overdue_referrals_carry_a_red_tag(world, client_for, submit_referral):
    referral = submit_referral()
    Referral.objects.filter(pk=referral.pk).update(
        decision_due_at=timezone.now() - datetime.timedelta(hours=2, minutes=5)
    )

    content = client_for(world.duty_manager).get(QUEUE).content.decode()

    assert '<strong class="govuk-tag govuk-tag--red">Overdue by 2 hours</strong>' in content


def test_decided_referrals_leave_the_queue(world, client_for, submit_referral, destinations):
    referral = submit_referral()
    services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Advice is enough.",
        destination=destinations["universal-advice"],
    )

    content = client_for(world.duty_manager).get(QUEUE).content.decode()

    assert referral.reference not in content
    assert "No referrals are waiting" in content


def test_queue_filters(world, client_for, submit_referral, child_data):
    level2 = LevelOfNeed.objects.get(code="level-2")
    north = submit_referral()
    south = submit_referral(referrer=world.health_practitioner, level_of_need=level2)
    overdue = submit_referral(people=[PersonData(kind="child", first_name="Tomasz", last_name="Nowak")])
    Referral.objects.filter(pk=overdue.pk).update(decision_due_at=timezone.now() - datetime.timedelta(hours=1))
    client = client_for(world.duty_manager)

    by_locality = client.get(QUEUE, {"locality": world.south.pk}).content.decode()
    by_level = client.get(QUEUE, {"level": level2.pk}).content.decode()
    by_channel = client.get(QUEUE, {"channel": Channel.PHONE}).content.decode()
    only_overdue = client.get(QUEUE, {"overdue": "1"}).content.decode()

    assert south.reference in by_locality and north.reference not in by_locality
    assert south.reference in by_level and north.reference not in by_level
    assert north.reference not in by_channel and "that match these filters" in by_channel
    assert overdue.reference in only_overdue and north.reference not in only_overdue


def test_queue_queries_do_not_grow_with_the_queue(world, client_for, submit_referral, django_assert_num_queries):
    client = client_for(world.duty_manager)
    first = submit_referral()
    services.referral_claim(actor=world.duty_manager, referral=first)
    one_row = count_queries(client, QUEUE)
    for _ in range(49):
        submit_referral(consent_given=False, consent_not_sought_reason="Asking would put the child at risk of harm.")

    with django_assert_num_queries(one_row):
        response = client.get(QUEUE)

    assert one_row <= MAX_LIST_QUERIES
    assert response.content.decode().count('class="govuk-link" href="/front-door/referrals/') == 25
    assert response.context["page_obj"].paginator.count == 50


# --- The triage page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("duty_manager", 200), ("school_practitioner", 403), ("lead", 403), ("analyst", 403), ("team_manager", 403)],
)
def test_triage_permission_matrix(world, client_for, submit_referral, role, status):
    referral = submit_referral()

    response = client_for(getattr(world, role)).get(triage_url(referral))

    assert response.status_code == status


def test_a_missing_referral_is_404(world, client_for):
    assert client_for(world.duty_manager).get("/front-door/referrals/987654321/").status_code == 404


def test_triage_shows_the_referral_and_logs_the_view(world, client_for, submit_referral):
    referral = submit_referral()

    response = client_for(world.duty_manager).get(triage_url(referral))

    content = response.content.decode()
    assert response.status_code == 200
    assert world.school_practitioner.get_full_name() in content
    assert "Hill School" in content
    assert "Practitioner web form" in content
    assert "12 Mill Lane, Exton, EX1 1AB" in content
    assert "Amara has missed 20 days of school this term and seems withdrawn." in content
    assert "Meetings with mum at school." in content
    assert "Family support at home." in content
    assert "Grace Okafor" in content and "Mother" in content
    assert "The family agreed to this referral" in content
    assert "Claim this referral" in content
    assert AccessLog.objects.filter(
        user=world.duty_manager, action=AccessLog.Action.VIEW, record_type="referral", record_id=referral.pk
    ).exists()


def test_consent_not_sought_is_a_warning_with_the_reason(world, client_for, submit_referral):
    referral = submit_referral(
        consent_given=False, consent_not_sought_reason="Dad is violent when agencies are involved."
    )

    content = client_for(world.duty_manager).get(triage_url(referral)).content.decode()

    assert 'class="govuk-warning-text"' in content
    assert "The family was not asked for consent. The referrer's reason: Dad is violent" in content


def test_candidates_are_offered_with_their_reasons_and_can_be_linked(world, client_for, submit_referral):
    known = PersonFactory(
        first_name="Amara", last_name="Okafor", date_of_birth=datetime.date(2016, 5, 17), nhs_number="9434765919"
    )
    referral = submit_referral()
    child = referral.people.get(kind="child")
    client = client_for(world.duty_manager)

    content = client.get(triage_url(referral)).content.decode()
    response = client.post(
        reverse("front_door:person-link", args=[referral.pk, child.pk]), {"person": known.pk}, follow=True
    )

    assert "Same NHS number" in content and "Same date of birth" in content and "Same name" in content
    assert "This is the same person" in content and "Record as a new person" in content
    assert "Amara Okafor linked to the existing record" in response.content.decode()
    child.refresh_from_db()
    assert child.person == known


def test_recording_a_new_person(world, client_for, submit_referral):
    referral = submit_referral()
    parent = referral.people.get(kind="adult")
    people_before = Person.objects.count()

    response = client_for(world.duty_manager).post(
        reverse("front_door:person-link", args=[referral.pk, parent.pk]), {"person": "new"}
    )

    parent.refresh_from_db()
    assert response.status_code == 302
    assert parent.person.full_name == "Grace Okafor"
    assert Person.objects.count() == people_before + 1


def test_only_a_person_the_matching_offered_can_be_linked(world, client_for, submit_referral):
    stranger = PersonFactory(first_name="Zed", last_name="Quill")
    referral = submit_referral()
    child = referral.people.get(kind="child")

    response = client_for(world.duty_manager).post(
        reverse("front_door:person-link", args=[referral.pk, child.pk]), {"person": stranger.pk}, follow=True
    )

    child.refresh_from_db()
    assert child.person is None
    assert "Choose one of the records found for Amara Okafor" in response.content.decode()


def test_a_person_of_another_referral_is_404(world, client_for, submit_referral):
    referral = submit_referral()
    other = submit_referral(referrer=world.health_practitioner)

    response = client_for(world.duty_manager).post(
        reverse("front_door:person-link", args=[referral.pk, other.people.first().pk]), {"person": "new"}
    )

    assert response.status_code == 404


def test_family_history_flags_a_re_referral_within_12_months(world, client_for, submit_referral):
    closed = open_case(world, status="closed")
    child = closed.family.people.get(kind="child")
    referral = submit_referral(people=[person_data(child)])
    services.referral_person_link(actor=world.duty_manager, referral_person=referral.people.get(), person=child)

    content = client_for(world.duty_manager).get(triage_url(referral)).content.decode()

    assert "Re-referral within 12 months of a closed case" in content
    assert closed.reference in content
    assert "Outcomes met" in content


def test_family_history_lists_earlier_referrals_and_open_cases(world, client_for, submit_referral, destinations):
    case = open_case(world, status="active")
    child = case.family.people.get(kind="child")
    earlier = submit_referral(referrer=world.health_practitioner, people=[person_data(child)])
    services.referral_person_link(actor=world.duty_manager, referral_person=earlier.people.get(), person=child)
    services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=earlier,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Join the open case.",
        destination=destinations["targeted-family-support"],
    )
    referral = submit_referral(people=[person_data(child)])
    services.referral_person_link(actor=world.duty_manager, referral_person=referral.people.get(), person=child)

    content = client_for(world.duty_manager).get(triage_url(referral)).content.decode()

    assert earlier.reference in content
    assert case.reference in content
    assert "Re-referral within 12 months" not in content


# --- Claims ---------------------------------------------------------------------------------------


def test_claim_and_release(world, client_for, submit_referral):
    referral = submit_referral()
    client = client_for(world.duty_manager)

    claimed = client.post(reverse("front_door:claim", args=[referral.pk]), follow=True)
    referral.refresh_from_db()
    claimed_by = referral.claimed_by
    released = client.post(reverse("front_door:release", args=[referral.pk]), follow=True)
    referral.refresh_from_db()

    assert claimed_by == world.duty_manager
    assert "You are working on this referral" in claimed.content.decode()
    assert "Release this referral" in claimed.content.decode()
    assert referral.claimed_by is None
    assert "Claim this referral" in released.content.decode()


def test_a_claimed_referral_tells_the_second_manager_who_has_it(world, client_for, submit_referral):
    second = UserFactory(username="duty2", agency=world.council, roles=[Role.DUTY_MANAGER])
    referral = submit_referral()
    services.referral_claim(actor=world.duty_manager, referral=referral)
    name = world.duty_manager.get_full_name()

    response = client_for(second).post(reverse("front_door:claim", args=[referral.pk]), follow=True)

    content = response.content.decode()
    assert response.status_code == 200
    assert f"{name} is already working on this referral." in content
    assert f"{name} is working on this referral: only they can record the decision" in content
    referral.refresh_from_db()
    assert referral.claimed_by == world.duty_manager


def test_the_second_managers_decision_on_a_claimed_referral_is_refused(world, client_for, submit_referral):
    second = UserFactory(username="duty2", agency=world.council, roles=[Role.DUTY_MANAGER])
    referral = submit_referral()
    services.referral_claim(actor=world.duty_manager, referral=referral)

    response = client_for(second).post(
        triage_url(referral),
        {"outcome": DecisionOutcome.STEP_UP, "level_of_need": world.level3.pk, "reason": "Harm suspected."},
    )

    assert response.status_code == 200
    assert "is working on this referral." in response.content.decode()
    assert not Decision.objects.filter(referral=referral).exists()


@pytest.mark.django_db(transaction=True)
def test_two_managers_claiming_at_once_one_wins(world, submit_referral):
    referral = submit_referral()
    managers = [
        UserFactory(username="duty-a", agency=world.council, roles=[Role.DUTY_MANAGER]),
        UserFactory(username="duty-b", agency=world.council, roles=[Role.DUTY_MANAGER]),
    ]
    barrier = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def claim(manager):
        barrier.wait()
        try:
            services.referral_claim(actor=manager, referral=referral)
            outcomes[manager.pk] = "claimed"
        except ReferralClaimed as error:
            outcomes[manager.pk] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(manager,)) for manager in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    referral.refresh_from_db()
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "claimed")
    loser = next(outcome for outcome in outcomes.values() if outcome != "claimed")
    assert sorted(outcomes) == sorted(m.pk for m in managers)
    assert referral.claimed_by_id == winner
    assert isinstance(loser, ReferralClaimed)
    assert "is already working on this referral" in loser.messages[0]


# --- Decisions through the page -----------------------------------------------------------------


def test_decision_errors_keep_what_was_typed(world, client_for, submit_referral):
    referral = submit_referral()

    response = client_for(world.duty_manager).post(
        triage_url(referral),
        {"outcome": DecisionOutcome.EARLY_HELP, "level_of_need": world.level3.pk, "reason": "Needs a key worker."},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Referral" in content
    assert 'class="govuk-error-summary"' in content
    assert "Select a destination" in content
    assert "Needs a key worker.</textarea>" in content
    assert not Decision.objects.exists()


def test_an_empty_decision_is_worded_the_govuk_way(world, client_for, submit_referral):
    referral = submit_referral()

    content = client_for(world.duty_manager).post(triage_url(referral), {}).content.decode()

    assert "Select the decision" in content
    assert "Enter the reason for the decision" in content


def test_an_early_help_decision_through_the_page(
    world, client_for, submit_referral, destinations, django_capture_on_commit_callbacks
):
    referral = submit_referral()
    client = client_for(world.duty_manager)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            triage_url(referral),
            {
                "outcome": DecisionOutcome.EARLY_HELP,
                "level_of_need": world.level3.pk,
                "destination": destinations["targeted-family-support"].pk,
                "reason": "Several needs: a lead professional will help.",
                "confirm_new_people": "on",
            },
        )
    page = client.get(triage_url(referral)).content.decode()

    referral.refresh_from_db()
    assert response.status_code == 302
    assert len(callbacks) == 1  # the letter to the referrer
    assert referral.status == ReferralStatus.DECIDED
    assert "govuk-notification-banner--success" in page
    assert "Decision recorded: Early help or other support: Targeted family support" in page
    assert "Several needs: a lead professional will help." in page
    assert referral.case.reference in page
    assert "Amend this decision" in page
    assert "Record the decision" not in page


def test_a_mash_enquiry_through_the_page(world, client_for, submit_referral, destinations):
    referral = submit_referral()
    due_on = timezone.localdate() + datetime.timedelta(days=3)

    response = client_for(world.duty_manager).post(
        triage_url(referral),
        {
            "outcome": DecisionOutcome.MORE_INFORMATION,
            "level_of_need": world.level3.pk,
            "reason": "Health and school may know more.",
            "destination": destinations["universal-advice"].pk,  # ignored: not early help
            "agencies": [world.school.pk, world.health.pk],
            "question": "Is Amara known to you? Any worries at home?",
            "due_on_0": due_on.day,
            "due_on_1": due_on.month,
            "due_on_2": due_on.year,
            "confirm_new_people": "on",
        },
        follow=True,
    )

    requests = InformationRequest.objects.filter(referral=referral)
    assert response.status_code == 200
    assert sorted(r.agency.name for r in requests) == ["Health Visiting", "Hill School"]
    assert {timezone.localtime(r.due_at).date() for r in requests} == {due_on}
    assert "Awaiting answer, due" in response.content.decode()
    assert "Decide now the partners have answered" in response.content.decode()


def test_a_mash_enquiry_needs_agencies_and_a_question(world, client_for, submit_referral):
    referral = submit_referral()
    client = client_for(world.duty_manager)
    base = {"outcome": DecisionOutcome.MORE_INFORMATION, "level_of_need": world.level3.pk, "reason": "Ask."}

    no_question = client.post(triage_url(referral), {**base, "agencies": [world.health.pk]}).content.decode()
    no_agency = client.post(triage_url(referral), {**base, "question": "Known to you?"}).content.decode()
    past = timezone.localdate() - datetime.timedelta(days=1)
    past_date = client.post(
        triage_url(referral),
        {
            **base,
            "agencies": [world.health.pk],
            "question": "Known?",
            "due_on_0": past.day,
            "due_on_1": past.month,
            "due_on_2": past.year,
        },
    ).content.decode()

    assert "Enter what you need to know from the agencies" in no_question
    assert "Select the agencies to ask for information" in no_agency
    assert "The date the answers are due must be in the future" in past_date
    assert not InformationRequest.objects.exists()


def test_amending_a_decision_through_the_page(world, client_for, submit_referral, destinations):
    referral = submit_referral()
    old = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Advice is enough.",
        destination=destinations["universal-advice"],
    )
    client = client_for(world.duty_manager)
    url = reverse("front_door:decision-amend", args=[referral.pk, old.pk])

    form_page = client.get(url)
    response = client.post(
        url,
        {
            "outcome": DecisionOutcome.EARLY_HELP,
            "level_of_need": world.level3.pk,
            "destination": destinations["targeted-family-support"].pk,
            "reason": "The school has new worries: family support is needed.",
        },
        follow=True,
    )
    again = client.post(
        url,
        {"outcome": DecisionOutcome.STEP_UP, "level_of_need": world.level3.pk, "reason": "Second go."},
    )

    content = response.content.decode()
    new = Decision.objects.get(amends=old)
    referral.refresh_from_db()
    assert form_page.status_code == 200
    assert "Advice is enough." in form_page.content.decode()
    assert "Decision amended: Early help or other support: Targeted family support" in content
    assert f"Amended</strong> by {world.duty_manager.get_full_name()}" in content
    assert new.destination == destinations["targeted-family-support"]
    assert Case.objects.filter(family=referral.family).count() == 1
    assert "This decision has already been amended: amend the latest one." in again.content.decode()
    assert Decision.objects.filter(referral=referral).count() == 2


def test_a_decision_of_another_referral_cannot_be_amended_here(world, client_for, submit_referral, destinations):
    referral = submit_referral()
    other = submit_referral(referrer=world.health_practitioner)
    decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=other,
        outcome=DecisionOutcome.STEP_UP,
        level_of_need=world.level3,
        reason="Harm suspected.",
    )

    response = client_for(world.duty_manager).get(reverse("front_door:decision-amend", args=[referral.pk, decision.pk]))

    assert response.status_code == 404


# --- Navigation --------------------------------------------------------------------------------


def nav_labels(response) -> list[str]:
    return [item["label"] for item in response.context["nav_items"]]


def test_navigation_for_duty_managers_and_partners(world, client_for):
    no_agency = UserFactory(username="no-agency", agency=None, roles=[Role.ANALYST])

    duty = nav_labels(client_for(world.duty_manager).get("/"))
    school = nav_labels(client_for(world.school_practitioner).get("/"))
    nobody = nav_labels(client_for(no_agency).get("/"))

    assert {"Front door", "My referrals", "Information requests"} <= set(duty)
    assert {"My referrals", "Information requests"} <= set(school) and "Front door" not in school
    assert not {"Front door", "My referrals", "Information requests"} & set(nobody)


def test_the_mash_list_offers_the_childrens_school_but_not_every_school(world, submit_referral, client_for):
    from cases.models import AgencyType, Person
    from tests.factories import AgencyFactory

    school_type = AgencyType.objects.get(code="school")
    own_school = AgencyFactory(name="Own Primary", agency_type=school_type)
    AgencyFactory(name="Unrelated Academy", agency_type=school_type)
    referral = submit_referral()
    child = referral.people.get(first_name="Amara")
    child.person = Person.objects.create(kind="child", first_name="Amara", last_name="Okafor", school=own_school)
    child.save(update_fields=["person"])

    content = client_for(world.duty_manager).get(f"/front-door/referrals/{referral.pk}/").content.decode()

    assert "Own Primary" in content
    assert "Unrelated Academy" not in content
    assert "Hill School" in content  # the referrer's own agency
    assert "Health Visiting" in content  # agencies that are not schools are always offered
