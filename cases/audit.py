"""The append-only access log: every view, print and export of a person's or case's record, and
every refusal. Call inside the transaction that reads the record."""

from __future__ import annotations

from django.http import HttpRequest

from .models import AccessLog, Case, Person, User


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is the proxy's address behind one; the proxy is configured to set it truthfully
    # (gunicorn --forwarded-allow-ips), so the header is not trusted here.
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
) -> AccessLog:
    return AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        record_type=record_type,
        record_id=record_id,
        case=case,
        person=person,
        ip_address=client_address(request),
        path=request.path[:300] if request is not None else "",
    )
