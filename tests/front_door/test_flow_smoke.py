from django.utils import timezone

from cases.models import Case, Deadline, Notification
from cases.notifications import notifications_send_pending
from front_door import services
from front_door.letters import letter_create_and_send, letters_record_emailed
from front_door.models import DecisionOutcome, ReferralStatus


def test_received_decided_letter(world, submit_referral, destinations, django_capture_on_commit_callbacks):
    referral = submit_referral()
    assert referral.reference.startswith("EH-")
    assert referral.status == ReferralStatus.AWAITING_DECISION
    assert Deadline.objects.filter(subject_type="referral", subject_id=referral.pk).count() == 2

    services.referral_claim(actor=world.duty_manager, referral=referral)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decision = services.referral_decide(
            confirm_new_people=True,
            actor=world.duty_manager,
            referral=referral,
            outcome=DecisionOutcome.EARLY_HELP,
            level_of_need=world.level3,
            reason="Needs family support",
            destination=destinations["targeted-family-support"],
        )
    assert len(callbacks) == 1
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECIDED
    assert Case.objects.get(pk=referral.case_id).family_id == referral.family_id
    letter = letter_create_and_send(decision_id=decision.pk)
    assert bytes(letter.pdf).startswith(b"%PDF")
    # The letter clock stops when the letter is emailed, after the grace period for amendments.
    Notification.objects.filter(pk=letter.notification_id).update(send_after=timezone.now())
    notifications_send_pending()
    letters_record_emailed()
    assert not Deadline.objects.filter(subject_type="referral", subject_id=referral.pk, met_at__isnull=True).exists()


def test_the_referrals_consent_is_carried_into_the_case(world, submit_referral, destinations):
    from cases.models import Consent

    given = submit_referral()
    services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=given,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Family support",
        destination=destinations["targeted-family-support"],
    )
    given.refresh_from_db()
    consent = Consent.objects.get(case=given.case, scope="referral")
    assert (consent.status, consent.evidence, consent.person.first_name) == ("given", "verbal", "Grace")

    not_sought = submit_referral(
        consent_given=False,
        consent_not_sought_reason="Asking would alert the person harming the child.",
        postcode="EX2 4QT",
        concerns="Different worry.",
    )
    services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=not_sought,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Family support",
        destination=destinations["targeted-family-support"],
    )
    not_sought.refresh_from_db()
    consents = Consent.objects.filter(case=not_sought.case, scope="referral", status="not_sought")
    assert [c.not_sought_reason for c in consents] == ["Asking would alert the person harming the child."]
