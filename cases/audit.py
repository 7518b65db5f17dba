"""The append-only access log: every view, print and export of a person's or case's record, and
every refusal. Call inside the transaction that reads the record."""

from __future__ import annotations

from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone

from .models import AccessLog, Case, Person, User

# One row a view of a child's record, written as a fixed statement: through the ORM an insert cost
# half a millisecond to compile on every case page.
INSERT = (
    f'INSERT INTO "{AccessLog._meta.db_table}"'  # noqa: S608 (our own table)
    " (at, user_id, action, record_type, record_id, person_id, case_id, ip_address, path)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


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
    case: Case | None = None,
    person: Person | None = None,
    request: HttpRequest | None = None,
) -> None:
    with connections[router.db_for_write(AccessLog)].cursor() as cursor:
        cursor.execute(
            INSERT,
            [
                timezone.now(),
                user.pk if user is not None and user.is_authenticated else None,
                action,
                record_type,
                record_id,
                person.pk if person is not None else None,
                case.pk if case is not None else None,
                client_address(request),
                request.path[:300] if request is not None else "",
            ],
        )
