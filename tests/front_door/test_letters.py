"""The referrer's outcome: one letter (PDF) per decision even when the task runs twice, its words,
the message in the outbox with the letter attached, the 72-hour clock, the download (referrer and
duty managers only, logged as an export) and the referrer's own list of referrals."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.models import AccessLog, Deadline, Notification
from cases.notifications import notifications_send_pending
from cases.roles import Role
from front_door import services
from front_door.letters import letter_create_and_send, letters_record_emailed
from front_door.models import DecisionOutcome, LetterStatus, ReferrerLetter
from front_door.permissions import referral_known_people
from front_door.services import PersonData
from front_door.tasks import send_referrer_letter
from tests.factories import UserFactory

MAX_LIST_QUERIES = 12
MY_REFERRALS = "/referrals/mine/"


def pdf_text(letter: ReferrerLetter) -> str:
    reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def letter_url(letter: ReferrerLetter) -> str:
    return reverse("front_door:letter-download", args=[letter.referral_id, letter.pk])


@pytest.fixture
def decided(world, submit_referral, destinations):
    """A referral decided for targeted family support, and its letter."""
    referral = submit_referral()
    decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Several needs: a lead professional will help.",
        destination=destinations["targeted-family-support"],
    )
    return decision


# --- The letter ---------------------------------------------------------------------------------


def test_one_letter_per_decision_even_when_the_task_runs_twice(world, decided):
    send_referrer_letter(decided.pk)
    send_referrer_letter(decided.pk)

    letter = ReferrerLetter.objects.get()
    assert letter.decision == decided
    assert letter.referral == decided.referral
    assert bytes(letter.pdf).startswith(b"%PDF")
    assert Notification.objects.filter(dedupe_key__startswith="referrer-letter:").count() == 1


def test_the_letter_says_what_was_decided(world, decided):
    letter = letter_create_and_send(decision_id=decided.pk)

    text = pdf_text(letter)
    assert decided.referral.reference in text
    assert "Decision Early help or other support: Targeted family support" in text
    assert "Level 3: Complex needs" in text
    assert "A lead professional will contact the family to agree a plan with them." in text
    assert f"Dear {world.school_practitioner.get_full_name()}" in text


def test_a_step_up_letter(world, submit_referral):
    referral = submit_referral()
    decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.STEP_UP,
        level_of_need=world.level3,
        reason="Harm suspected.",
    )

    text = pdf_text(letter_create_and_send(decision_id=decision.pk))

    assert referral.reference in text
    assert "Threshold for children" in text and "social care met" in text
    assert "A social worker will contact the family." in text


def test_an_amendment_within_the_grace_period_replaces_the_letter_not_yet_sent(world, decided, destinations):
    first = letter_create_and_send(decision_id=decided.pk)
    amendment = services.decision_amend(
        actor=world.duty_manager,
        decision=decided,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Advice is enough after all.",
        destination=destinations["universal-advice"],
    )

    second = letter_create_and_send(decision_id=amendment.pk)

    first.refresh_from_db()
    text = pdf_text(second)
    assert second.pk != first.pk
    assert first.status == LetterStatus.REPLACED and first.replaced_by == second
    assert "Universal services with advice and signposting" in text
    assert "replaces our letter" not in text  # the first was never sent
    assert list(Notification.objects.filter(dedupe_key__startswith="referrer-letter:")) == [second.notification]


def let_the_grace_period_pass() -> None:
    Notification.objects.filter(status=Notification.Status.PENDING).update(send_after=timezone.now())


def test_the_outbox_sends_the_letter_to_the_referrer(world, decided):
    letter = letter_create_and_send(decision_id=decided.pk)
    reference = decided.referral.reference

    message = Notification.objects.get(dedupe_key=f"referrer-letter:{letter.pk}")
    held = notifications_send_pending()  # within the grace period for amendments
    let_the_grace_period_pass()
    sent = notifications_send_pending()

    assert message.email == world.school_practitioner.email
    assert message.recipient == world.school_practitioner
    assert message.subject == f"Your referral {reference}: our decision"
    assert message.attachment_name == f"{reference}.pdf"
    assert bytes(message.attachment) == bytes(letter.pdf)
    assert (held, sent) == (0, 1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.school_practitioner.email]
    assert mail.outbox[0].attachments[0][0] == f"{reference}.pdf"
    assert mail.outbox[0].attachments[0][2] == "application/pdf"


def test_the_letter_meets_the_72_hour_deadline_when_it_is_emailed(world, decided):
    clock = Deadline.objects.get(
        timescale__code="referrer-letter", subject_type="referral", subject_id=decided.referral_id
    )

    letter = letter_create_and_send(decision_id=decided.pk)
    clock.refresh_from_db()
    when_made = clock.met_at
    let_the_grace_period_pass()
    notifications_send_pending()
    letters_record_emailed()

    clock.refresh_from_db()
    letter.refresh_from_db()
    assert when_made is None
    assert letter.created_at <= letter.sent_at == clock.met_at <= clock.due_at


def test_a_missing_decision_makes_no_letter(db):
    assert letter_create_and_send(decision_id=987654321) is None
    assert send_referrer_letter(987654321) is None
    assert not ReferrerLetter.objects.exists()


# --- Downloading the letter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("school_practitioner", 200),  # the referrer
        ("duty_manager", 200),
        ("health_practitioner", 404),
        ("lead", 404),
        ("team_manager", 404),
        ("analyst", 404),
        ("panel_coordinator", 404),
    ],
)
def test_letter_download_permission_matrix(world, decided, client_for, role, status):
    letter = letter_create_and_send(decision_id=decided.pk)

    response = client_for(getattr(world, role)).get(letter_url(letter))

    assert response.status_code == status


def test_a_contact_officer_cannot_download_someone_elses_letter(world, decided, client_for):
    officer = UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])
    letter = letter_create_and_send(decision_id=decided.pk)

    response = client_for(officer).get(letter_url(letter))

    assert response.status_code == 404
    assert AccessLog.objects.filter(
        user=officer, action=AccessLog.Action.DENIED, record_type="referrer_letter", record_id=letter.pk
    )


def test_the_referrer_downloads_the_pdf_and_it_is_logged(world, decided, client_for):
    letter = letter_create_and_send(decision_id=decided.pk)
    reference = decided.referral.reference

    response = client_for(world.school_practitioner).get(letter_url(letter))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{reference}.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response.content == bytes(letter.pdf)
    exports = AccessLog.objects.filter(
        user=world.school_practitioner,
        action=AccessLog.Action.EXPORT,
        record_type="referrer_letter",
        record_id=letter.pk,
    )
    # One export, in the access log of each known child the letter is about.
    assert len({row.at for row in exports}) == 1
    assert {row.person_id for row in exports} == set(referral_known_people(decided.referral_id))
    assert None not in {row.person_id for row in exports}


def test_a_practitioner_cannot_open_a_referral_they_did_not_make(world, decided, client_for):
    letter = letter_create_and_send(decision_id=decided.pk)

    response = client_for(world.health_practitioner).get(letter_url(letter))

    assert response.status_code == 404
    assert AccessLog.objects.filter(
        user=world.health_practitioner,
        action=AccessLog.Action.DENIED,
        record_type="referrer_letter",
        record_id=letter.pk,
    ).exists()
    assert not AccessLog.objects.filter(user=world.health_practitioner, action=AccessLog.Action.EXPORT).exists()


def test_a_letter_of_another_referral_is_404(world, decided, submit_referral, client_for):
    letter = letter_create_and_send(decision_id=decided.pk)
    own_other = submit_referral(people=[PersonData(kind="child", first_name="Tomasz", last_name="Nowak")])

    response = client_for(world.school_practitioner).get(
        reverse("front_door:letter-download", args=[own_other.pk, letter.pk])
    )

    assert response.status_code == 404


# --- My referrals -----------------------------------------------------------------------------------


def test_my_referrals_shows_the_outcome_and_the_letter(world, decided, client_for):
    letter = letter_create_and_send(decision_id=decided.pk)
    reference = decided.referral.reference
    # The header names the user: make sure that is not the adult named in the referral.
    world.school_practitioner.first_name, world.school_practitioner.last_name = "Sam", "Okoro"
    world.school_practitioner.save(update_fields=["first_name", "last_name"])

    content = client_for(world.school_practitioner).get(MY_REFERRALS).content.decode()

    assert reference in content
    assert "Amara" in content and "Grace" not in content
    assert "Decided" in content
    assert "Early help or other support: Targeted family support" in content
    assert f'href="{letter_url(letter)}"' in content


def test_my_referrals_shows_only_my_submitted_referrals(world, decided, client_for):
    draft = services.referral_create(channel="practitioner", actor=world.school_practitioner, concerns="Draft")
    mine = client_for(world.school_practitioner).get(MY_REFERRALS)
    theirs = client_for(world.health_practitioner).get(MY_REFERRALS).content.decode()

    assert [row["referral"] for row in mine.context["rows"]] == [decided.referral]
    assert draft.pk not in [row["referral"].pk for row in mine.context["rows"]]
    assert decided.referral.reference not in theirs
    assert "You have not made any referrals." in theirs


def test_an_undecided_referral_says_so(world, submit_referral, client_for):
    referral = submit_referral()

    content = client_for(world.school_practitioner).get(MY_REFERRALS).content.decode()

    assert referral.reference in content
    assert "Awaiting decision" in content
    assert "Not decided yet" in content
    assert "None yet" in content


def make_decided_referral_with_letter(world, submit_referral, destinations, n: int):
    referral = submit_referral(people=[PersonData(kind="child", first_name=f"Child{n}", last_name="Test")])
    decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Advice.",
        destination=destinations["universal-advice"],
    )
    # A stand-in PDF: this test counts queries, it does not read letters.
    ReferrerLetter.objects.create(referral=referral, decision=decision, pdf=b"%PDF-1.7 stand-in")


def test_my_referrals_queries_do_not_grow_with_the_list(
    world, submit_referral, destinations, client_for, django_assert_num_queries
):
    client = client_for(world.school_practitioner)
    make_decided_referral_with_letter(world, submit_referral, destinations, 0)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(MY_REFERRALS).status_code == 200
    for n in range(1, 50):
        make_decided_referral_with_letter(world, submit_referral, destinations, n)

    with django_assert_num_queries(len(one_row.captured_queries)):
        response = client.get(MY_REFERRALS)

    assert len(one_row.captured_queries) <= MAX_LIST_QUERIES
    assert len(response.context["rows"]) == 25
    assert response.content.decode().count("(PDF)") == 25


def test_an_amended_decision_shows_the_latest_outcome_and_every_letter_oldest_first(
    world, submit_referral, destinations, client_for
):
    make_decided_referral_with_letter(world, submit_referral, destinations, 0)
    first = ReferrerLetter.objects.get()
    amended = services.decision_amend(
        actor=world.duty_manager,
        decision=first.decision,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="A family support worker after all.",
        destination=destinations["targeted-family-support"],
    )
    second = ReferrerLetter.objects.create(referral=first.referral, decision=amended, pdf=b"%PDF-1.7 stand-in")

    content = client_for(world.school_practitioner).get(MY_REFERRALS).content.decode()

    assert "Early help or other support: Targeted family support" in content
    assert "Universal services with advice" not in content  # the amended outcome is not shown
    assert content.index(f'href="{letter_url(first)}"') < content.index(f'href="{letter_url(second)}"')
