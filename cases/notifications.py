"""The notification outbox and its senders: email (development, SMTP) or GOV.UK Notify.

Messages name a reference and link to the service; they carry no details about the family.

Sent once: a sender claims a batch of due rows, marking them "sending" in a transaction of its own
that commits before any is handed to the provider (rows another sender holds are skipped), and
marks them sent (or failed, to retry with backoff) once the provider has taken them. A worker that
dies in between leaves its rows "sending"; `notifications_recover` settles them without sending
blindly: GOV.UK Notify is asked for each by its reference (the row's id) and only a message it never
received goes again; an email, which cannot be asked about, waits for a person ("could not
confirm", in the administrator's list). The sender keeps going until nothing is due."""

from __future__ import annotations

import base64
import datetime
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import Notification, User

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# Rows a sender claims at once, marked "sending" in one committed statement before any is handed
# over: a worker that dies mid-batch leaves at most this many for `notifications_recover`. Claims
# take only what is due, so outside a backlog they are a few rows; in one, a batch's commit is
# shared by 50 messages (20 sent 520 a second on this machine under load, 50 sent 900).
CLAIM_BATCH = 50
# A sender hands a batch over for at most this long, then gives the rest back to be claimed again:
# however slow the provider, a live sender settles its batch within this and one provider timeout
# (EMAIL_TIMEOUT, and Notify's client's 30 seconds)...
HAND_OVER_FOR = datetime.timedelta(minutes=5)
# ...so a row still "sending" after this was left by a worker that died.
SENDING_TIMEOUT = datetime.timedelta(minutes=15)
# GOV.UK Notify answers about the messages of its last 7 days; a row older than that cannot be asked
# about with any certainty (a day is kept in hand).
NOTIFY_ANSWERS_FOR = datetime.timedelta(days=6)


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

    # Robust: with the broker out of reach the request that queued the message still succeeds (its
    # row is committed); the minute's run sends it once the broker is back.
    transaction.on_commit(send_pending_notifications.delay, robust=True)


class Sender:
    """Hands a message to a provider and returns the provider's id for it ("" if it gives none).
    `channel` says how (Notify can be asked afterwards whether it received a message; email cannot)."""

    channel = ""

    @contextmanager
    def opened(self) -> Iterator[None]:
        """Around each claimed batch: a connection to reuse, if the provider has one."""
        yield

    def send(self, notification: Notification) -> str:
        raise NotImplementedError


class EmailSender(Sender):
    channel = Notification.Channel.EMAIL

    def __init__(self):
        self.connection = None

    @contextmanager
    def opened(self) -> Iterator[None]:
        # One connection for the batch (with the file backend, one file).
        self.connection = get_connection()
        self.connection.open()
        try:
            yield
        finally:
            self.connection.close()
            self.connection = None

    def send(self, notification: Notification) -> str:
        message = EmailMessage(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.email],
            connection=self.connection,
            # A person confirming a message by hand finds it in the mail server's log by this.
            headers={"Message-ID": message_id(notification)},
        )
        if notification.attachment:
            message.attach(
                notification.attachment_name or "letter.pdf", bytes(notification.attachment), "application/pdf"
            )
        try:
            message.send()
        except Exception:
            if self.connection is not None:
                self.connection.close()  # the next message opens a connection of its own
            raise
        return ""


def message_id(notification: Notification) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<earlyhelp-outbox-{notification.pk}@{domain}>"


class NotifySender(Sender):
    """GOV.UK Notify; its test API keys send nothing, so a council can try it safely."""

    channel = Notification.Channel.NOTIFY

    def __init__(self, client=None):
        self.client = client if client is not None else notify_client()

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


def notify_client():
    from notifications_python_client.notifications import NotificationsAPIClient

    return NotificationsAPIClient(settings.NOTIFY_API_KEY)


def default_sender() -> Sender:
    return NotifySender() if settings.NOTIFY_API_KEY else EmailSender()


class Drained(NamedTuple):
    sent: int
    # Stopped at its limit with rows still due (the caller hands the rest on).
    more: bool


def notifications_drain(
    *, sender: Sender | None = None, limit: int | None = None, seconds: float | None = None, batch: int = CLAIM_BATCH
) -> Drained:
    """Send what is due, a claimed batch at a time, until nothing is (or `limit` rows were taken, or
    `seconds` have passed). Rows due later than the start (retries, letters held back) wait for the
    next run, so a drain always ends. Several drains at once share the rows between them.

    Each transaction records the last batch's outcomes and claims the next: one commit a batch."""
    sender = sender or default_sender()
    now = timezone.now()
    stop_at = time.monotonic() + seconds if seconds is not None else None
    sent = taken = 0
    handed: list[Notification] = []
    try:
        while True:
            size = batch if limit is None else min(batch, limit - taken)
            if size <= 0 or (stop_at is not None and time.monotonic() >= stop_at):
                _settle(handed)
                handed = []
                due = Notification.objects.filter(status=Notification.Status.PENDING, send_after__lte=now)
                return Drained(sent, due.exists())
            claimed = _settle_and_claim(handed, size=size, due_by=now, channel=sender.channel)
            handed = []
            if not claimed:
                return Drained(sent, False)
            taken += len(claimed)
            handed = claimed
            _hand_over(sender, claimed)
            sent += sum(row.status == Notification.Status.SENT for row in claimed)
    finally:
        # Whatever stopped the drain, what was handed over is recorded.
        _settle(handed)


def notifications_send_pending(*, sender: Sender | None = None, limit: int | None = None) -> int:
    """Send everything that is due (at most `limit` rows); how many were sent."""
    return notifications_drain(sender=sender, limit=limit).sent


# What a sender needs of a claimed row and what settling it writes, in the model's order of fields
# (the order `Model.from_db` reads values in).
CLAIMED = [
    field.attname
    for field in Notification._meta.concrete_fields
    if field.attname not in ("dedupe_key", "recipient_id", "created_at", "resolved_by_id")
]
SETTLEABLE = [Notification.Status.SENDING, Notification.Status.UNCONFIRMED]


def _settle_and_claim(
    handed: list[Notification], *, size: int, due_by: datetime.datetime, channel: str
) -> list[Notification]:
    """Record the outcomes of the rows handed over last, then mark up to `size` due rows "sending"
    (skipping rows another sender is claiming), in one transaction committed before this returns,
    durably: a message may be handed over next. The claim's time is its token: only this claim's
    rows are settled by it."""
    table = Notification._meta.db_table
    claimed_at = timezone.now()
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        _record(cursor, handed)
        cursor.execute(
            f"""
            UPDATE {table} SET status = %s, claimed_at = %s, channel = %s, attempts = attempts + 1
            WHERE id = ANY(ARRAY(
                SELECT id FROM {table} WHERE status = %s AND send_after <= %s
                ORDER BY send_after, id LIMIT %s
                FOR UPDATE SKIP LOCKED
            ))
            RETURNING {", ".join(CLAIMED)}
            """,  # noqa: S608 (the model's own table and columns)
            [Notification.Status.SENDING, claimed_at, channel, Notification.Status.PENDING, due_by, size],
        )
        rows = cursor.fetchall()
    return sorted((Notification.from_db(connection.alias, CLAIMED, row) for row in rows), key=lambda n: n.pk)


def _hand_over(sender: Sender, claimed: list[Notification]) -> None:
    """Hand each claimed row to the provider, noting on the row what happened. What was not handed
    over (the connection could not be opened, the provider was too slow for the rest of the batch,
    the worker is stopping) is given back to be claimed again, its attempt not counted; a row that
    was being handed over when something stopped the sender stays "sending"."""
    give_back_at = time.monotonic() + HAND_OVER_FOR.total_seconds()
    begun = 0
    try:
        with sender.opened():
            for notification in claimed:
                if time.monotonic() >= give_back_at:
                    break
                begun += 1
                try:
                    notification.provider_reference = sender.send(notification)
                except Exception as error:  # noqa: BLE001 (any provider failure is retried)
                    _failed(notification, error)
                else:
                    notification.status = Notification.Status.SENT
                    notification.sent_at = timezone.now()
    finally:
        _release(claimed[begun:])


def _failed(notification: Notification, error: Exception) -> None:
    # The error's class only: provider messages can echo addresses.
    notification.last_error = type(error).__name__
    notification.send_after = timezone.now() + datetime.timedelta(minutes=2**notification.attempts)
    notification.status = (
        Notification.Status.FAILED if notification.attempts >= MAX_ATTEMPTS else Notification.Status.PENDING
    )
    logger.warning("notification %s failed (attempt %s)", notification.pk, notification.attempts)


def _settle(handed: list[Notification]) -> None:
    """Record the last batch's outcomes when no claim follows.

    This commit does not wait for the disk (`synchronous_commit` off, for this transaction only):
    were the database server itself to crash in the moment after, the rows would be found
    "sending" again and recovered as such, never sent blindly. A claim, which must not be lost once
    a message is handed over, always waits for the disk."""
    handed = [row for row in handed if row.status != Notification.Status.SENDING]
    if handed:
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            _record(cursor, handed)


def _record(cursor, handed: list[Notification]) -> None:
    """Write what became of rows handed over (sent in one statement; failures, rare, one by one). A
    row settled by someone else meanwhile (recovered after the timeout) is left as it is, unless it
    only waits for a person: then this sender's word settles it."""
    sent = [row for row in handed if row.status == Notification.Status.SENT]
    if sent:
        cursor.execute(
            f"""
            UPDATE {Notification._meta.db_table} AS n
            SET status = %s, sent_at = v.sent_at, provider_reference = v.reference
            FROM unnest(%s::bigint[], %s::timestamptz[], %s::varchar[]) AS v(id, sent_at, reference)
            WHERE n.id = v.id AND n.claimed_at = %s AND n.status = ANY(%s)
            """,  # noqa: S608 (the model's own table)
            [
                Notification.Status.SENT,
                [row.pk for row in sent],
                [row.sent_at for row in sent],
                [row.provider_reference[:100] for row in sent],
                sent[0].claimed_at,
                SETTLEABLE,
            ],
        )
    for row in handed:
        if row.status in (Notification.Status.PENDING, Notification.Status.FAILED):
            Notification.objects.filter(pk=row.pk, claimed_at=row.claimed_at, status__in=SETTLEABLE).update(
                status=row.status, send_after=row.send_after, last_error=row.last_error
            )


def _release(rows: Iterable[Notification]) -> None:
    rows = list(rows)
    if rows:
        with transaction.atomic(durable=True):
            Notification.objects.filter(
                pk__in=[row.pk for row in rows], status=Notification.Status.SENDING, claimed_at=rows[0].claimed_at
            ).update(status=Notification.Status.PENDING, attempts=F("attempts") - 1)


def notifications_recover(*, client=None, now: datetime.datetime | None = None) -> dict[str, int]:
    """Settle the rows a worker left "sending" (for longer than SENDING_TIMEOUT), never sending one
    blindly: Notify is asked for each by its reference; what it received is marked sent, what it
    never received goes again. An email cannot be asked about: it waits for a person ("could not
    confirm"), as does a Notify message too old for Notify to answer about. If Notify cannot be
    reached, the row waits for the next run."""
    now = now or timezone.now()
    counts = {"sent": 0, "sent_again": 0, "unconfirmed": 0, "unanswered": 0}
    stale = Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).order_by("claimed_at", "id")
    askable = stale.filter(channel=Notification.Channel.NOTIFY, claimed_at__gte=now - NOTIFY_ANSWERS_FOR)
    if not settings.NOTIFY_API_KEY and client is None:
        askable = askable.none()
    with transaction.atomic(durable=True):
        counts["unconfirmed"] = stale.exclude(pk__in=askable.values("pk")).update(
            status=Notification.Status.UNCONFIRMED, last_error="Could not confirm"
        )
    for pk in askable.values_list("pk", flat=True):
        client = client or notify_client()
        with transaction.atomic(durable=True):
            row = askable.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue
            try:
                received = _notify_received(client, row)
            except Exception as error:  # noqa: BLE001 (asked again at the next run)
                logger.warning("notification %s: Notify could not be asked (%s)", row.pk, type(error).__name__)
                counts["unanswered"] += 1
                continue
            if received is not None:
                row.status = Notification.Status.SENT
                row.provider_reference = str(received.get("id", ""))[:100]
                row.sent_at = parse_datetime(received.get("created_at") or "") or now
                counts["sent"] += 1
            else:
                row.status = Notification.Status.PENDING
                row.send_after = now
                send_after_commit()
                counts["sent_again"] += 1
            row.save(update_fields=["status", "provider_reference", "sent_at", "send_after"])
    if counts["unconfirmed"]:
        logger.warning("%s notifications could not be confirmed: they wait for an administrator", counts["unconfirmed"])
    return counts


def _notify_received(client, notification: Notification) -> dict | None:
    """Notify's record of this row's message, if it received one (its reference is the row's id)."""
    answer = client.get_all_notifications(reference=str(notification.pk), template_type="email")
    for item in answer.get("notifications", []):
        if item.get("reference") == str(notification.pk) and item.get("email_address", "").lower() == (
            notification.email.lower()
        ):
            return item
    return None


def notifications_mark_sent(*, notification_ids: Iterable[int], by: User) -> list[int]:
    """A person has confirmed that these messages, which could not be confirmed, went: they are
    marked sent and not sent again. Returns the ids of those changed."""
    return _resolve(
        notification_ids,
        [Notification.Status.UNCONFIRMED],
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        resolved_by=by,
    )


def notifications_send_again(*, notification_ids: Iterable[int], by: User) -> list[int]:
    """A person has decided that these messages, which could not be confirmed (or failed), should
    go again: they are queued now, with their attempts counted afresh. Returns the ids of those
    changed."""
    with transaction.atomic():
        changed = _resolve(
            notification_ids,
            [Notification.Status.UNCONFIRMED, Notification.Status.FAILED],
            status=Notification.Status.PENDING,
            send_after=timezone.now(),
            claimed_at=None,
            attempts=0,
            last_error="",
            resolved_by=by,
        )
        if changed:
            send_after_commit()
    return changed


def _resolve(notification_ids: Iterable[int], statuses: list[str], **changes) -> list[int]:
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update()
            .filter(pk__in=list(notification_ids), status__in=statuses)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(**changes)
    return ids
