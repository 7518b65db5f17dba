"""The notification outbox and its senders: email (development, SMTP) or GOV.UK Notify.

Messages name a reference and link to the service; they carry no details about the family."""

from __future__ import annotations

import base64
import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import Notification, User

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def notification_queue(
    *,
    dedupe_key: str,
    subject: str,
    body: str,
    recipient: User | None = None,
    email: str = "",
    attachment_name: str = "",
    attachment: bytes | None = None,
    enqueue: bool = True,
    send_after: datetime.datetime | None = None,
) -> Notification:
    """Put a message in the outbox (once: a second call with the same key returns the first) and
    ask a worker to send it when the transaction commits (`enqueue=False` for callers that queue
    many and ask once). `send_after` holds it until then (it can be cancelled until it goes)."""
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "recipient": recipient,
            "email": email or (recipient.email if recipient else ""),
            "subject": subject,
            "body": body,
            "attachment_name": attachment_name,
            "attachment": attachment,
            "send_after": send_after or timezone.now(),
        },
    )
    if created and enqueue:
        send_after_commit()
    return notification


@transaction.atomic
def notification_cancel(*, dedupe_key: str) -> bool:
    """Take a message out of the outbox before it goes: True if it was still waiting and is now
    gone; False if it has been sent or is being sent (or was never queued). Waits for a sender that
    holds the row, so the answer is the one that stands."""
    waiting = (
        Notification.objects.select_for_update()
        .filter(dedupe_key=dedupe_key, status=Notification.Status.PENDING)
        .first()
    )
    if waiting is None:
        return False
    waiting.delete()
    return True


def send_after_commit() -> None:
    from .tasks import send_pending_notifications

    transaction.on_commit(send_pending_notifications.delay)


class EmailSender:
    def send(self, notification: Notification) -> str:
        message = EmailMessage(
            notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.email]
        )
        if notification.attachment:
            message.attach(
                notification.attachment_name or "letter.pdf", bytes(notification.attachment), "application/pdf"
            )
        message.send()
        return ""


class NotifySender:
    """GOV.UK Notify; its test API keys send nothing, so a council can try it safely."""

    def __init__(self, client=None):
        if client is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            client = NotificationsAPIClient(settings.NOTIFY_API_KEY)
        self.client = client

    def send(self, notification: Notification) -> str:
        personalisation = {"subject": notification.subject, "body": notification.body}
        if notification.attachment:
            personalisation["link_to_file"] = {
                "file": base64.b64encode(bytes(notification.attachment)).decode("ascii"),
                "filename": notification.attachment_name or "letter.pdf",
                "confirm_email_before_download": True,
            }
        response = self.client.send_email_notification(
            email_address=notification.email,
            template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            personalisation=personalisation,
            reference=str(notification.pk),
        )
        return str(response.get("id", ""))


def default_sender():
    return NotifySender() if settings.NOTIFY_API_KEY else EmailSender()


def notifications_send_pending(*, sender=None, limit: int = 100) -> int:
    """Send what is due, one row per transaction, skipping rows another worker holds. A failure is
    counted and retried later with backoff; after MAX_ATTEMPTS the row is marked failed."""
    sender = sender or default_sender()
    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(status=Notification.Status.PENDING, send_after__lte=timezone.now())
                .order_by("send_after", "id")
                .first()
            )
            if notification is None:
                break
            notification.attempts += 1
            try:
                notification.provider_reference = sender.send(notification)
            except Exception as error:  # noqa: BLE001 (any provider failure is retried)
                # The error's class only: provider messages can echo addresses.
                notification.last_error = type(error).__name__
                notification.send_after = timezone.now() + timezone.timedelta(minutes=2**notification.attempts)
                if notification.attempts >= MAX_ATTEMPTS:
                    notification.status = Notification.Status.FAILED
                logger.warning("notification %s failed (attempt %s)", notification.pk, notification.attempts)
            else:
                notification.status = Notification.Status.SENT
                notification.sent_at = timezone.now()
                sent += 1
            notification.save(
                update_fields=["attempts", "provider_reference", "last_error", "send_after", "status", "sent_at"]
            )
    return sent
