"""The referrer's letter about the Early Help Panel's decision, for a family the front door sent to
the panel: made once, read from the PDF as the person who gets it reads it (a practitioner gets the
decision, a member of the public only what they need; nobody gets the panel's reasons), sent as the
front door's letters go (emailed after the grace period, or posted), corrected when an amendment
changes what it says, seen in "my referrals", and made by the beat's sweep when the task was lost."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cases.models import Case, ChronologyEntry, Deadline, Notification, PanelRoute
from cases.notifications import notifications_send_pending
from front_door.letters import letter_create_and_send, letter_record_sent, letters_record_emailed
from front_door.models import LetterStatus, ReferrerLetter
from panels import services
from panels import tasks as panel_tasks
from panels.letters import panel_letter_create_and_send
from panels.models import NotForPanelRoute, PanelOutcome
from tests.front_door.letters_helpers import decide, pdf_text, public_referral
from tests.panels.conftest import waiting_case
from tests.panels.test_pdfs import front_door_case

PANEL_REASON = "Health visiting told the panel of two missed health checks."
# What a member of the public must never read in a letter about the panel.
NOT_FOR_THE_PUBLIC = ["Level", "level", "safeguarding", "Health visiting", "health checks", "reason"]


def on_agenda(world, meeting, case):
    return services.agenda_add(actor=world.panel_coordinator, meeting=meeting, case=case)


def record(world, item, outcome=PanelOutcome.ALLOCATE, **fields):
    values = {"reason": PANEL_REASON}
    if outcome == PanelOutcome.ALLOCATE:
        values.update(lead_agency=world.council, team=world.team, threshold_confirmed=True)
    values.update(fields)
    return services.decision_record(actor=world.panel_coordinator, item=item, outcome=outcome, **values)


def public_case(world, **fields):
    """A relative's request the front door sent to the panel: the family's case, in the north."""
    referral = public_referral(**fields)
    decide(world, referral, destination="early-help-panel")
    referral.refresh_from_db()
    Case.objects.filter(pk=referral.case_id).update(locality=world.north)
    return Case.objects.get(pk=referral.case_id)


def emailed(letter) -> None:
    """As if the grace period had passed and the outbox had sent the letter."""
    Notification.objects.filter(pk=letter.notification_id).update(send_after=timezone.now())
    notifications_send_pending()
    letters_record_emailed()


@pytest.fixture
def from_front_door(world, meeting_now):
    """A practitioner's referral the front door sent to the panel, on today's meeting's agenda."""
    case = front_door_case(world)
    return on_agenda(world, meeting_now, case)


def test_an_allocation_makes_one_letter_even_when_the_task_runs_twice(world, from_front_door):
    decision = record(world, from_front_door)

    panel_tasks.send_panel_letter(decision.pk)
    panel_tasks.send_panel_letter(decision.pk)

    letter = ReferrerLetter.objects.get(panel_decision__isnull=False)
    assert letter.panel_decision == decision and letter.decision is None
    assert letter.referral.case_id == from_front_door.case_id
    assert letter.status == LetterStatus.QUEUED
    assert Notification.objects.filter(dedupe_key=f"referrer-letter:{letter.pk}").count() == 1


def test_the_practitioner_reads_the_lead_agency_and_what_happens_next_but_not_the_panels_reasons(
    world, from_front_door
):
    decision = record(world, from_front_door)

    letter = panel_letter_create_and_send(decision_id=decision.pk)

    text = pdf_text(letter.pdf)
    reference = letter.referral.reference
    assert f"Referral {reference}: the Early Help Panel's decision" in text
    assert "North Early Help Panel" in text
    assert "Decision Lead agency agreed" in text
    assert "Lead agency Council Family Support (North Family Support)" in text
    assert "lead professional within a week" in text
    assert "please keep supporting the family as you do now" in text
    assert PANEL_REASON not in text and "health checks" not in text
    assert "replaces our letter" not in text


def test_the_letter_is_a_tagged_pdf_with_its_language_and_title(world, from_front_door):
    letter = panel_letter_create_and_send(decision_id=record(world, from_front_door).pk)

    reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata["/Title"] == f"Referral {letter.referral.reference}: the Early Help Panel's decision"
    assert len(reader.pages) == 1


@pytest.mark.parametrize(
    ("outcome", "fields", "words"),
    [
        (
            PanelOutcome.NOT_FOR_PANEL,
            {"not_for_panel_route": NotForPanelRoute.FRONT_DOOR},
            ["Not for the panel: back to the front door", "The front door will look at the family's needs again"],
        ),
        (
            PanelOutcome.NOT_FOR_PANEL,
            {"not_for_panel_route": NotForPanelRoute.SINGLE_AGENCY},
            ["Not for the panel: single-agency support", "support of a single agency"],
        ),
        (
            PanelOutcome.NOT_FOR_PANEL,
            {"not_for_panel_route": NotForPanelRoute.UNIVERSAL},
            ["Not for the panel: universal services", "school, nursery, GP or health visitor"],
        ),
        (
            PanelOutcome.STEP_UP,
            {},
            ["Stepped up to the front door as a safeguarding concern", "call us at once"],
        ),
    ],
)
def test_each_decision_that_settles_what_happens_tells_the_practitioner(world, from_front_door, outcome, fields, words):
    letter = panel_letter_create_and_send(decision_id=record(world, from_front_door, outcome, **fields).pk)

    text = pdf_text(letter.pdf)
    assert [phrase for phrase in words if phrase not in text] == []
    assert "Lead agency" not in text
    assert PANEL_REASON not in text


@pytest.mark.parametrize(
    ("outcome", "fields", "words"),
    [
        (PanelOutcome.ALLOCATE, {}, ["The family will be offered support.", "Support offered by Council Family"]),
        (PanelOutcome.STEP_UP, {}, ["We are looking again at how best to help the family."]),
        (
            PanelOutcome.NOT_FOR_PANEL,
            {"not_for_panel_route": NotForPanelRoute.UNIVERSAL},
            ["Our early help panel will not be working with the family.", "If you are still worried"],
        ),
    ],
)
def test_a_member_of_the_public_is_told_only_what_they_need(world, meeting_now, outcome, fields, words):
    item = on_agenda(world, meeting_now, public_case(world))

    letter = panel_letter_create_and_send(decision_id=record(world, item, outcome, **fields).pk)

    text = pdf_text(letter.pdf)
    assert "Dear Pat Jones," in text
    assert f"Your request for help, reference {letter.referral.reference}" in text
    assert [phrase for phrase in words if phrase not in text] == []
    assert [word for word in NOT_FOR_THE_PUBLIC if word in text] == []


def test_a_deferral_or_a_case_returned_by_its_team_makes_no_letter(world, from_front_door, meeting_now):
    deferred = record(world, from_front_door, PanelOutcome.DEFER, reason="The school's view is needed.")
    returned = on_agenda(world, meeting_now, waiting_case(world, route=PanelRoute.DISENGAGED))
    allocated_again = record(world, returned)

    assert panel_letter_create_and_send(decision_id=deferred.pk) is None
    assert panel_letter_create_and_send(decision_id=allocated_again.pk) is None
    assert panel_letter_create_and_send(decision_id=987654321) is None
    assert not ReferrerLetter.objects.filter(panel_decision__isnull=False).exists()


def test_an_amendment_within_the_grace_period_replaces_the_letter_not_yet_sent(world, from_front_door):
    first_decision = record(world, from_front_door)
    first = panel_letter_create_and_send(decision_id=first_decision.pk)
    amended = services.decision_amend(
        actor=world.panel_coordinator,
        decision=first_decision,
        amendment_reason="The school leads: the family knows it best.",
        lead_agency=world.school,
        team=None,
    )

    second = panel_letter_create_and_send(decision_id=amended.pk)

    first.refresh_from_db()
    text = pdf_text(second.pdf)
    assert first.status == LetterStatus.REPLACED and first.replaced_by == second
    assert "Lead agency Hill School" in text
    assert "replaces our letter" not in text
    assert not Notification.objects.filter(dedupe_key=f"referrer-letter:{first.pk}", status="pending").exists()


def test_an_amendment_after_the_letter_went_is_a_correction_that_says_so(world, from_front_door):
    first_decision = record(world, from_front_door)
    first = panel_letter_create_and_send(decision_id=first_decision.pk)
    emailed(first)
    amended = services.decision_amend(
        actor=world.panel_coordinator,
        decision=first_decision,
        amendment_reason="The school leads.",
        lead_agency=world.school,
        team=None,
    )

    correction = panel_letter_create_and_send(decision_id=amended.pk)

    message = Notification.objects.get(dedupe_key=f"referrer-letter:{correction.pk}")
    assert correction.corrects == first
    assert "The panel's decision has changed. This letter replaces our letter of" in pdf_text(correction.pdf)
    assert message.subject == f"Your referral {first.referral.reference}: the Early Help Panel's decision has changed"


def test_an_amendment_of_the_reasons_only_sends_nothing(world, from_front_door):
    first_decision = record(world, from_front_door)
    panel_letter_create_and_send(decision_id=first_decision.pk)
    amended = services.decision_amend(
        actor=world.panel_coordinator,
        decision=first_decision,
        amendment_reason="A typing error in the reason.",
        reason="Health visiting told the panel of missed health checks.",
    )

    assert panel_letter_create_and_send(decision_id=amended.pk) is None
    assert ReferrerLetter.objects.filter(panel_decision__isnull=False).count() == 1


def test_the_email_names_the_panel_and_leaves_the_front_doors_clock_alone(world, from_front_door):
    letter = panel_letter_create_and_send(decision_id=record(world, from_front_door).pk)
    referral = letter.referral
    clock = Deadline.objects.get(timescale__code="referrer-letter", subject_type="referral", subject_id=referral.pk)
    met_before = clock.met_at

    emailed(letter)

    letter.refresh_from_db()
    clock.refresh_from_db()
    message = Notification.objects.get(pk=letter.notification_id)
    assert message.subject == f"Your referral {referral.reference}: the Early Help Panel's decision"
    assert message.email == referral.referrer_email and bytes(message.attachment) == bytes(letter.pdf)
    assert letter.status == LetterStatus.EMAILED
    assert clock.met_at == met_before
    assert ChronologyEntry.objects.filter(
        event="referrer_letter_sent", summary__startswith="Early Help Panel outcome letter"
    ).exists()


def test_a_letter_to_post_is_listed_for_the_front_door_and_recorded_as_posted(world, meeting_now, client_for):
    item = on_agenda(world, meeting_now, public_case(world))
    front_door_letter = letter_create_and_send(decision_id=item.case.referrals.get().decisions.get().pk)
    letter = panel_letter_create_and_send(decision_id=record(world, item).pk)

    listed = client_for(world.duty_manager).get("/front-door/letters/").content.decode()
    page = client_for(world.duty_manager).get(f"/front-door/referrals/{letter.referral_id}/letters/{letter.pk}/send/")
    letter_record_sent(actor=world.duty_manager, letter=letter, how="posted")

    letter.refresh_from_db()
    front_door_letter.refresh_from_db()
    assert letter.status == LetterStatus.POSTED
    assert front_door_letter.status == LetterStatus.TO_POST  # a letter of its own, still to post
    assert "Panel's decision</strong>" in listed
    assert "As soon as you can" in listed
    assert "Early Help Panel&#x27;s decision" in page.content.decode()
    assert ChronologyEntry.objects.filter(
        event="referrer_letter_sent",
        summary__contains="Early Help Panel outcome letter",
        summary__endswith="by post to the referrer",
    ).exists()


def test_the_referrer_sees_the_panels_letter_in_my_referrals_and_downloads_it(world, from_front_door, client_for):
    letter = panel_letter_create_and_send(decision_id=record(world, from_front_door).pk)
    referrer = client_for(letter.referral.referrer)

    page = referrer.get("/referrals/mine/").content.decode()
    download = referrer.get(f"/referrals/{letter.referral_id}/letters/{letter.pk}/")

    assert "Early Help Panel's letter of" in page
    assert download.status_code == 200 and bytes(download.content) == bytes(letter.pdf)


def test_recording_a_decision_queues_the_letter_after_the_commit(
    world, from_front_door, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(panel_tasks.send_panel_letter, "delay", lambda decision_id: queued.append(decision_id))

    with django_capture_on_commit_callbacks(execute=True):
        decision = record(world, from_front_door)

    assert queued == [decision.pk]


def test_the_sweep_makes_a_letter_whose_task_was_lost_once(world, from_front_door):
    decision = record(world, from_front_door)  # its task never ran: nothing commits in a test

    made = panel_tasks.send_missing_panel_letters()
    again = panel_tasks.send_missing_panel_letters()

    assert (made, again) == (1, 0)
    assert ReferrerLetter.objects.get(panel_decision__isnull=False).panel_decision == decision


def test_the_referral_in_the_api_lists_the_panels_letter(world, from_front_door, client_for):
    decision = record(world, from_front_door)
    letter = panel_letter_create_and_send(decision_id=decision.pk)

    body = client_for(letter.referral.referrer).get(f"/api/v1/referrals/{letter.referral_id}/").json()

    [listed] = [entry for entry in body["letters"] if entry["id"] == letter.pk]
    assert listed["panel_decision"] == decision.pk and listed["decision"] is None
    assert listed["url"].endswith(f"/api/v1/referrals/{letter.referral_id}/letters/{letter.pk}/")
