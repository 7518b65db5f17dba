from celery import shared_task


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_referrer_letter(decision_id: int) -> None:
    """Make and send the referrer's letter for a decision (safe to run twice)."""
    from .letters import letter_create_and_send

    letter_create_and_send(decision_id=decision_id)


@shared_task
def record_emailed_letters() -> None:
    """Letters the outbox has emailed meet their 72-hour clock; those it could not email go to the
    front door's list to post or phone (run every minute; safe to run twice)."""
    from .letters import letters_record_emailed

    letters_record_emailed()


@shared_task
def delete_unused_drafts() -> int:
    """Delete referral drafts unused for 28 days, with the people typed into them (once a day;
    safe to run twice: a draft already gone is not looked for)."""
    from .services import referral_drafts_delete_unused

    return referral_drafts_delete_unused()
