"""The rules of a decision that the page and the API share, in the service: destinations fit their
outcome (configuration), no person record is made without the duty manager's say-so, the MASH
answers are due in the future, the same MASH enquiry is not recorded twice at once; and what the
decision writes: who the chronology says referred, and the school kept on the person made."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import AgencyType, ChronologyEntry, Destination, Person
from cases.roles import Role
from front_door import services
from front_door.models import Channel, Decision, DecisionOutcome, InformationRequest, ReferrerRelationship
from front_door.services import PersonData
from tests.factories import AgencyFactory, PersonFactory, UserFactory

REASON = "Attendance and low mood: family support at home."


def decide(world, referral, outcome, destination=None, **kwargs) -> Decision:
    return services.referral_decide(
        actor=kwargs.pop("actor", world.duty_manager),
        referral=referral,
        outcome=outcome,
        level_of_need=world.level3,
        reason=REASON,
        destination=destination,
        **kwargs,
    )


def api(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def decision_url(referral) -> str:
    return f"/api/v1/referrals/{referral.pk}/decision/"


def triage_url(referral) -> str:
    return reverse("front_door:triage", args=[referral.pk])


# --- Which destinations fit which outcome ---------------------------------------------------------


def test_no_further_action_does_not_fit_early_help(world, submit_referral, destinations):
    referral = submit_referral()

    with pytest.raises(ValidationError) as error:
        decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["no-further-action"], confirm_new_people=True)

    assert error.value.message_dict["destination"] == [
        "No further action is not a destination for the decision 'Early help or other support': "
        "select a destination that fits it"
    ]
    assert not Decision.objects.exists()


def test_no_further_action_is_a_decision_of_its_own(world, submit_referral):
    referral = submit_referral()

    decision = decide(world, referral, DecisionOutcome.NO_FURTHER_ACTION, confirm_new_people=True)

    referral.refresh_from_db()
    assert decision.destination is None
    assert referral.status == "decided"
    assert referral.case is None


def test_which_destinations_fit_is_configuration(world, submit_referral, destinations):
    """A council that sends step ups to named social care teams gives them that outcome: a step up
    then needs one of them, and the early help destinations do not fit it."""
    referral = submit_referral()
    Destination.objects.create(code="csc-disabled", name="Disabled children's team", outcomes=["step_up"])

    with pytest.raises(ValidationError) as missing:
        decide(world, referral, DecisionOutcome.STEP_UP, confirm_new_people=True)
    with pytest.raises(ValidationError) as wrong:
        decide(world, referral, DecisionOutcome.STEP_UP, destinations["childrens-centre"], confirm_new_people=True)
    decision = decide(
        world,
        referral,
        DecisionOutcome.STEP_UP,
        Destination.objects.get(code="csc-disabled"),
        confirm_new_people=True,
    )

    assert missing.value.message_dict["destination"] == ["Select a destination"]
    assert "is not a destination for the decision" in wrong.value.message_dict["destination"][0]
    assert decision.destination.code == "csc-disabled"


def test_the_seeded_destinations_fit_early_help_but_no_further_action(db):
    fits = dict(Destination.objects.values_list("code", "outcomes"))

    assert fits.pop("no-further-action") == []
    assert set(map(tuple, fits.values())) == {("early_help",)}


def test_the_api_refuses_a_contradictory_decision_with_a_field_error(world, submit_referral):
    referral = submit_referral()

    response = api(world.duty_manager).post(
        decision_url(referral),
        {
            "outcome": "early_help",
            "destination": "no-further-action",
            "level_of_need": "level-3",
            "reason": REASON,
            "confirm_new_people": True,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "is not a destination for the decision" in response.json()["destination"][0]
    assert not Decision.objects.exists()


def test_the_page_offers_only_the_destinations_that_fit(world, client_for, submit_referral, destinations):
    referral = submit_referral()

    content = client_for(world.duty_manager).get(triage_url(referral)).content.decode()

    assert destinations["targeted-youth-support"].name in content
    assert f'value="{destinations["no-further-action"].pk}"' not in content
    assert 'value="no_further_action"' in content


def test_the_admin_edits_which_outcomes_a_destination_fits(world, destinations):
    client = Client()
    client.force_login(world.superuser)
    destination = destinations["universal-advice"]
    url = reverse("admin:cases_destination_change", args=[destination.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "code": destination.code,
            "name": destination.name,
            "description": "",
            "sort_order": 5,
            "active": "on",
            "outcomes": ["early_help", "no_further_action"],
        },
    )

    destination.refresh_from_db()
    assert 'type="checkbox" name="outcomes" value="no_further_action"' in page
    assert response.status_code == 302
    assert destination.outcomes == ["early_help", "no_further_action"]


# --- People are not created silently ------------------------------------------------------------


def test_a_decision_that_would_make_new_people_needs_confirming(world, submit_referral):
    referral = submit_referral()
    people_before = Person.objects.count()

    with pytest.raises(ValidationError) as error:
        decide(world, referral, DecisionOutcome.STEP_UP)

    assert error.value.message_dict == {"confirm_new_people": [services.NEW_PEOPLE_UNCONFIRMED]}
    assert Person.objects.count() == people_before
    assert not Decision.objects.exists()


def test_no_confirmation_is_needed_when_everyone_is_known(world, submit_referral, child_data, parent_data):
    known_child = PersonFactory(first_name="Amara", last_name="Okafor", nhs_number=child_data.nhs_number)
    referral = submit_referral()
    parent = referral.people.get(first_name=parent_data.first_name)
    mother = PersonFactory(first_name="Grace", last_name="Okafor", kind="adult")
    services.referral_person_link(actor=world.duty_manager, referral_person=parent, person=mother)
    people_before = Person.objects.count()

    decide(world, referral, DecisionOutcome.STEP_UP)

    assert Person.objects.count() == people_before
    assert {rp.person for rp in referral.people.all()} == {known_child, mother}


def test_the_api_asks_for_confirm_new_people(world, submit_referral):
    referral = submit_referral()
    client = api(world.duty_manager)
    body = {"outcome": "step_up", "level_of_need": "level-4", "reason": REASON}

    refused = client.post(decision_url(referral), body, format="json")
    bad = client.post(decision_url(referral), {**body, "confirm_new_people": "yes"}, format="json")
    confirmed = client.post(decision_url(referral), {**body, "confirm_new_people": True}, format="json")

    assert refused.status_code == 400
    assert refused.json() == {"confirm_new_people": [services.NEW_PEOPLE_UNCONFIRMED]}
    assert bad.status_code == 400
    assert "confirm_new_people" in bad.json()
    assert confirmed.status_code == 201


def test_the_page_says_what_will_happen_to_each_person_and_asks_to_confirm(
    world, client_for, submit_referral, child_data
):
    known_child = PersonFactory(
        first_name="Amarah",
        last_name="Okafor",
        nhs_number=child_data.nhs_number,
        date_of_birth=datetime.date(2016, 5, 17),
    )
    referral = submit_referral()
    client = client_for(world.duty_manager)

    page = client.get(triage_url(referral)).content.decode()
    unconfirmed = client.post(
        triage_url(referral),
        {"outcome": "step_up", "level_of_need": world.level3.pk, "reason": REASON},
    ).content.decode()
    confirmed = client.post(
        triage_url(referral),
        {"outcome": "step_up", "level_of_need": world.level3.pk, "reason": REASON, "confirm_new_people": "on"},
    )

    assert "Amara Okafor: linked to the known record of Amarah Okafor, born 17 May 2016" in page
    assert "Grace Okafor: a new record will be made" in page
    assert "I confirm a new record will be made for the person not linked to a known record" in page
    assert services.NEW_PEOPLE_UNCONFIRMED in unconfirmed
    assert 'href="#id_confirm_new_people"' in unconfirmed
    assert confirmed.status_code == 302
    assert referral.people.get(first_name="Amara").person == known_child


# --- MASH answers due in the future --------------------------------------------------------------


def test_the_api_refuses_an_answer_date_in_the_past_with_a_field_error(world, submit_referral):
    referral = submit_referral()

    response = api(world.duty_manager).post(
        decision_url(referral),
        {
            "outcome": "more_information",
            "level_of_need": "level-3",
            "reason": REASON,
            "information_requests": [{"agency": world.health.pk, "question": "Known to you?"}],
            "due_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
            "confirm_new_people": True,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"due_at": [services.DUE_IN_THE_PAST]}
    assert not Decision.objects.exists()
    assert not InformationRequest.objects.exists()


# --- The same MASH enquiry twice ------------------------------------------------------------------


def test_the_same_mash_enquiry_again_is_refused(world, submit_referral):
    referral = submit_referral()
    ask = {"information_requests": [(world.health, "Known?")], "confirm_new_people": True}
    decide(world, referral, DecisionOutcome.MORE_INFORMATION, **ask)
    referral.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        decide(world, referral, DecisionOutcome.MORE_INFORMATION, **ask)

    assert error.value.message_dict["agencies"][0].startswith("Already asked and not yet answered: Health Visiting")
    assert Decision.objects.count() == 1


def test_once_answered_an_agency_can_be_asked_again(world, submit_referral):
    referral = submit_referral()
    ask = {"information_requests": [(world.health, "Known?")], "confirm_new_people": True}
    decide(world, referral, DecisionOutcome.MORE_INFORMATION, **ask)
    request = InformationRequest.objects.get()
    services.information_request_answer(actor=world.health_practitioner, request=request, answer="Known to us.")
    referral.refresh_from_db()

    decide(world, referral, DecisionOutcome.MORE_INFORMATION, **ask)

    assert Decision.objects.count() == 2
    assert InformationRequest.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_mash_decision_posted_twice_at_once_is_one_decision(world, submit_referral):
    """Two duty managers (or one double click) post the same MASH decision at the same moment: the
    row lock queues the second behind the first, which it then sees, so one decision is recorded."""
    referral = submit_referral()
    second = UserFactory(username="duty-b", agency=world.council, roles=[Role.DUTY_MANAGER])
    due_on = timezone.localdate() + datetime.timedelta(days=3)
    form = {
        "outcome": DecisionOutcome.MORE_INFORMATION,
        "level_of_need": world.level3.pk,
        "reason": "Ask health.",
        "agencies": [world.health.pk],
        "question": "Known to you?",
        "due_on_0": due_on.day,
        "due_on_1": due_on.month,
        "due_on_2": due_on.year,
        "confirm_new_people": "on",
    }
    clients = []
    for manager in (world.duty_manager, second):
        client = Client()
        client.force_login(manager)
        clients.append(client)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(client):
        barrier.wait()
        try:
            statuses.append(client.post(triage_url(referral), form).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 302]  # one recorded, one shown the refusal
    assert Decision.objects.filter(referral=referral).count() == 1
    assert InformationRequest.objects.filter(referral=referral).count() == 1


# --- The chronology names who referred ------------------------------------------------------------


def received_entry(referral) -> ChronologyEntry:
    referral.refresh_from_db()
    return ChronologyEntry.objects.get(family=referral.family, event="referral_received")


def test_a_practitioners_referral_is_received_from_them(world, submit_referral):
    referral = submit_referral()

    decide(world, referral, DecisionOutcome.STEP_UP, confirm_new_people=True)

    entry = received_entry(referral)
    assert entry.author == world.school_practitioner
    assert entry.author_agency == world.school
    assert entry.summary == f"Referral {referral.reference} received (practitioner web form)"


def test_a_public_referral_is_received_from_a_member_of_the_public(world, child_data):
    referral = services.referral_receive(
        channel=Channel.PUBLIC,
        referrer_relationship=ReferrerRelationship.PUBLIC,
        referrer_name="A neighbour",
        referrer_email="neighbour@example.com",
        people=[child_data],
        concerns="The children are often alone.",
        consent_given=True,
    )

    decide(world, referral, DecisionOutcome.STEP_UP, confirm_new_people=True)

    entry = received_entry(referral)
    assert entry.author is None
    assert entry.summary == f"Referral {referral.reference} received from a member of the public (public web form)"


def test_a_phone_contact_is_recorded_by_the_contact_officer(world, child_data):
    officer = UserFactory(
        username="contact", first_name="Cath", last_name="Contact", agency=world.council, roles=[Role.CONTACT_OFFICER]
    )
    referral = services.referral_receive(
        channel=Channel.PHONE,
        actor=officer,
        referrer_relationship=ReferrerRelationship.PARENT,
        referrer_name="Grace Okafor",
        referrer_phone="07700 900123",
        people=[child_data],
        concerns="Struggling with the children's behaviour.",
        consent_given=True,
    )

    decide(world, referral, DecisionOutcome.STEP_UP, confirm_new_people=True)

    entry = received_entry(referral)
    assert entry.author == officer
    assert entry.summary == f"Phone contact {referral.reference} from a parent or carer, recorded by Cath Contact"


# --- The school or setting is kept ----------------------------------------------------------------


def test_the_school_typed_is_kept_on_the_person_made(world, submit_referral, child_data):
    riverside = AgencyFactory(name="Riverside Primary School", agency_type=AgencyType.objects.get(code="school"))
    unknown = PersonData(
        kind="child",
        first_name="Sol",
        last_name="Okafor",
        date_of_birth=datetime.date(2019, 1, 2),
        school="Little Acorns",
    )
    referral = submit_referral(people=[child_data, unknown])

    decide(world, referral, DecisionOutcome.STEP_UP, confirm_new_people=True)

    amara = referral.people.get(first_name="Amara").person
    sol = referral.people.get(first_name="Sol").person
    assert amara.school == riverside
    assert amara.school_name == "Riverside Primary School"
    assert sol.school is None
    assert sol.school_name == "Little Acorns"


@pytest.mark.django_db(transaction=True)
def test_two_duty_managers_asking_different_agencies_at_once_record_one_decision(world, submit_referral):
    """Each page says how many decisions it showed (none): the first decision recorded makes the
    other page out of date, so its decision is refused and its duty manager sees the first."""
    referral = submit_referral()
    second = UserFactory(username="duty-b", agency=world.council, roles=[Role.DUTY_MANAGER])
    due_on = timezone.localdate() + datetime.timedelta(days=3)
    forms = []
    for agency in (world.health, world.school):
        forms.append(
            {
                "outcome": DecisionOutcome.MORE_INFORMATION,
                "level_of_need": world.level3.pk,
                "reason": "Ask a partner.",
                "agencies": [agency.pk],
                "question": "Known to you?",
                "due_on_0": due_on.day,
                "due_on_1": due_on.month,
                "due_on_2": due_on.year,
                "confirm_new_people": "on",
                "decisions_seen": 0,
            }
        )
    clients = []
    for manager in (world.duty_manager, second):
        client = Client()
        client.force_login(manager)
        assert 'name="decisions_seen" value="0"' in client.get(triage_url(referral)).content.decode()
        clients.append(client)
    barrier = threading.Barrier(2)
    pages: list = []

    def post(client, form):
        barrier.wait()
        try:
            pages.append(client.post(triage_url(referral), form))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=pair) for pair in zip(clients, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(page.status_code for page in pages) == [200, 302]
    refused = next(page for page in pages if page.status_code == 200).content.decode()
    assert "Another duty manager recorded a decision on this referral while you were deciding" in refused
    assert 'name="decisions_seen" value="1"' in refused  # sent again, it would be decided on what is now there
    assert "Ask a partner." in refused  # what was typed is kept
    assert Decision.objects.filter(referral=referral).count() == 1
    assert InformationRequest.objects.filter(referral=referral).count() == 1


def test_the_api_refuses_a_decision_made_on_an_out_of_date_reading(world, submit_referral):
    referral = submit_referral()
    client = api(world.duty_manager)
    url = decision_url(referral)
    ask = {
        "outcome": DecisionOutcome.MORE_INFORMATION,
        "level_of_need": "level-3",
        "reason": "Ask health.",
        "information_requests": [{"agency": world.health.pk, "question": "Known?"}],
        "confirm_new_people": True,
    }
    assert client.post(url, {**ask, "decisions_seen": 0}, format="json").status_code == 201

    stale = client.post(
        url,
        {**ask, "information_requests": [{"agency": world.school.pk, "question": "Known?"}], "decisions_seen": 0},
        format="json",
    )

    assert stale.status_code == 400
    assert "while you were deciding" in str(stale.json())
    assert client.post(url, {**ask, "decisions_seen": -1}, format="json").status_code == 400
    assert Decision.objects.filter(referral=referral).count() == 1
