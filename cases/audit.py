"""The append-only access log: every view, print and export of a person's, case's or referral's
record, and every refusal, written through `fetch_logged` (or `access_log_record` for a record
already checked) in the transaction that reads the record."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from .models import AccessLog, User

T = TypeVar("T")


class RecordType:
    """The names of the records the log speaks of, one name for each however it was reached."""

    CASE = "case"
    PERSON = "person"
    REFERRAL = "referral"
    REFERRER_LETTER = "referrer_letter"
    INFORMATION_REQUEST = "information_request"

    # What a person calls each, in "No ... found".
    NOUNS = {REFERRER_LETTER: "letter", INFORMATION_REQUEST: "information request"}
    # And in the access log's "Viewed the ...".
    LABELS = {
        CASE: "case",
        PERSON: "person's record",
        REFERRAL: "referral",
        REFERRER_LETTER: "letter to the referrer",
        INFORMATION_REQUEST: "request for partners' information",
    }


@dataclass(frozen=True)
class Subject:
    """Whose record a logged view was of: the case, and the people it names (a view of a referral
    naming two known children is in each child's log: one row per person)."""

    case_id: int | None = None
    person_ids: tuple[int, ...] = ()


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: behind a trusted proxy, earlyhelp.middleware.ClientAddressMiddleware has
    # already put the client's address there; X-Forwarded-For on its own is whatever the sender
    # wrote. Sign-in lockouts (AXES_CLIENT_IP_CALLABLE) read the address through this function too.
    return request.META.get("REMOTE_ADDR") or None


def access_log_record(
    *,
    user: User | None,
    action: str,
    record_type: str,
    record_id: int,
    subject: Subject | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Write the log's rows for one view, print, export or refusal: one per person named, or one."""
    at = timezone.now()
    user_id = user.pk if user is not None and user.is_authenticated else None
    address = client_address(request)
    path = request.path[:300] if request is not None else ""
    subject = subject or Subject()
    AccessLog.objects.bulk_create(
        AccessLog(
            at=at,
            user_id=user_id,
            action=action,
            record_type=record_type,
            record_id=record_id,
            person_id=person_id,
            case_id=subject.case_id,
            ip_address=address,
            path=path,
        )
        for person_id in (subject.person_ids or (None,))
    )


def fetch_logged(
    *,
    user: User,
    record_type: str,
    record_id: int,
    fetch: Callable[[], T | None],
    subject_of: Callable[[T], Subject],
    refused: Callable[[], Subject | None],
    request: HttpRequest | None = None,
    action: str = AccessLog.Action.VIEW,
    log: bool = True,
) -> T:
    """The one way a record reaches a user: `fetch()` returns it when `user` may have it, else None;
    then 404, the same answer for "missing" and "not yours". A refusal of a record that exists
    (`refused()` says whose it is, or None when there is no such record) is logged, and so is
    every view unless `log` is off (a POST that only acts on a record it has just shown).

    The 404 is raised after the atomic block: raised inside it, it would roll back the refusal's row."""
    with transaction.atomic():
        found = fetch()
        if found is None:
            subject = refused()
            if subject is not None:
                access_log_record(
                    user=user,
                    action=AccessLog.Action.DENIED,
                    record_type=record_type,
                    record_id=record_id,
                    subject=subject,
                    request=request,
                )
        elif log:
            access_log_record(
                user=user,
                action=action,
                record_type=record_type,
                record_id=record_id,
                subject=subject_of(found),
                request=request,
            )
    if found is None:
        raise Http404(f"No {RecordType.NOUNS.get(record_type, record_type)} found")
    return found


def people_ids(ids: Iterable[int | None]) -> tuple[int, ...]:
    """Distinct person ids, in order, without the unknown."""
    return tuple(dict.fromkeys(i for i in ids if i is not None))
