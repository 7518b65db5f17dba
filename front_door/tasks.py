from celery import shared_task


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_referrer_letter(decision_id: int) -> None:
    """Make and send the referrer's letter for a decision (safe to run twice)."""
    from .letters import letter_create_and_send

    letter_create_and_send(decision_id=decision_id)
