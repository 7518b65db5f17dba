"""A referrer's own sent referral: "my referrals" links each reference to a read-only page of what
was sent and what became of it; nobody but its referrer opens it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import AccessLog
from front_door import services
from front_door.letters import letter_create_and_send
from front_door.models import Channel, DecisionOutcome, ReferrerLetter
from front_door.services import PersonData

MY_REFERRALS = "/referrals/mine/"
MAX_QUERIES = 16


def sent_url(referral) -> str:
    return reverse("front_door:referral-sent", args=[referral.pk])


@pytest.fixture
def decided(world, submit_referral, destinations):
    referral = submit_referral()
    return services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="The duty manager's reasons are for the front door.",
        destination=destinations["targeted-family-support"],
    )


def test_my_referrals_links_each_reference_to_its_page(world, submit_referral, client_for):
    first, second = (
        submit_referral(),
        submit_referral(people=[PersonData(kind="child", first_name="Leo", last_name="Ng")]),
    )

    html = client_for(world.school_practitioner).get(MY_REFERRALS).content.decode()

    for referral in (first, second):
        assert f'<a class="govuk-link" href="{sent_url(referral)}">{referral.reference}</a>' in html


def test_the_page_shows_what_was_sent_and_what_became_of_it(world, decided, client_for):
    letter = letter_create_and_send(decision_id=decided.pk)
    referral = decided.referral

    response = client_for(world.school_practitioner).get(sent_url(referral))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-l">Referral {referral.reference}</h1>' in html
    # What was sent.
    assert "Amara Okafor" in html and "943 476 5919" not in html and "9434765919" in html
    assert "Riverside Primary School" in html
    assert "Grace Okafor" in html and "Mother" in html
    assert "12 Mill Lane, Exton, EX1 1AB" in html
    assert "Amara has missed 20 days of school this term and seems withdrawn." in html
    assert "Meetings with mum at school." in html
    assert "Agreed to this referral" in html
    # What became of it, in the referrer's words: not the duty manager's reasons.
    assert "The family will be offered early help or other support: Targeted family support." in html
    assert "The duty manager&#x27;s reasons" not in html and "reasons are for the front door" not in html
    assert f'href="{reverse("front_door:letter-download", args=[referral.pk, letter.pk])}"' in html
    # Read-only: no form, no change links.
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert ">Change<" not in html


def test_an_undecided_referral_says_when_it_will_be_decided(world, submit_referral, client_for):
    referral = submit_referral()

    html = client_for(world.school_practitioner).get(sent_url(referral)).content.decode()

    assert "Not decided yet" in html
    assert "Decision due by" in html
    assert "None yet" in html


def test_a_mash_decision_says_partners_are_being_asked(world, submit_referral, client_for):
    referral = submit_referral()
    services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.MORE_INFORMATION,
        level_of_need=world.level3,
        reason="Ask health.",
        information_requests=[(world.health, "Do you know the family?")],
    )

    html = client_for(world.school_practitioner).get(sent_url(referral)).content.decode()

    assert "asking partner agencies what they know about the family" in html
    assert "Do you know the family?" not in html


@pytest.mark.parametrize("who", ["health_practitioner", "duty_manager", "lead", "analyst", "administrator"])
def test_only_the_referrer_opens_it_and_a_refusal_is_logged(world, decided, client_for, who):
    response = client_for(getattr(world, who)).get(sent_url(decided.referral))

    assert response.status_code == 404
    assert AccessLog.objects.filter(
        user=getattr(world, who), action=AccessLog.Action.DENIED, record_id=decided.referral_id
    ).exists()


def test_a_draft_and_a_missing_referral_have_no_such_page(world, client_for):
    draft = services.referral_create(channel=Channel.PRACTITIONER, actor=world.school_practitioner)
    client = client_for(world.school_practitioner)

    assert client.get(sent_url(draft)).status_code == 404
    assert client.get("/referrals/999999/").status_code == 404


def test_the_view_is_in_the_access_log(world, decided, client_for):
    client_for(world.school_practitioner).get(sent_url(decided.referral))

    assert AccessLog.objects.filter(
        user=world.school_practitioner, action=AccessLog.Action.VIEW, record_id=decided.referral_id
    ).exists()


def test_queries_do_not_grow_with_the_people_and_letters(
    world, submit_referral, destinations, client_for, django_assert_max_num_queries
):
    people = [PersonData(kind="child", first_name=f"Child{n}", last_name="Test") for n in range(8)]
    referral = submit_referral(people=people)
    decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Advice.",
        destination=destinations["universal-advice"],
    )
    ReferrerLetter.objects.create(referral=referral, decision=decision, pdf=b"%PDF-1.7 stand-in")
    client = client_for(world.school_practitioner)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(sent_url(referral))

    assert response.content.decode().count("Child") >= 8
