"""Writes of subject access: opening a request, withholding and releasing items, marking the request
ready, and asking for its export. Each takes the acting administrator and checks the role itself."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from cases.audit import Subject, access_log_record
from cases.models import AccessLog, Person, User
from cases.roles import Role
from outcomes.exports.models import Export
from outcomes.exports.services import export_request

from . import selectors
from .models import ItemType, Redaction, RequestStatus, SubjectAccessRequest, WithholdReason, one_month_after

KIND = "subject-access"
TITLE_MAX = Redaction._meta.get_field("title").max_length
RECORD_TYPE = "subject_access_request"

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.DRAFT: {RequestStatus.READY},
    RequestStatus.READY: {RequestStatus.DRAFT, RequestStatus.EXPORTED},
    RequestStatus.EXPORTED: {RequestStatus.DRAFT, RequestStatus.EXPORTED},
}


def _about(item: selectors.Item | None) -> dict:
    """What a redaction keeps of its item for the request's page: its title and its date (a day).
    Never in the export (`withheld_list` leaves them out): a title could tell what was withheld."""
    if item is None:
        return {"title": "", "item_date": None}
    when = timezone.localdate(item.when) if isinstance(item.when, datetime.datetime) else item.when
    return {"title": Truncator(item.title).chars(TITLE_MAX), "item_date": when}


def _check_actor(actor: User) -> None:
    if not (actor.is_active and actor.has_role(Role.ADMINISTRATOR)):
        raise PermissionDenied


def _move(request: SubjectAccessRequest, to: str) -> SubjectAccessRequest:
    """Lock the request, check the move, save it."""
    held = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if to not in ALLOWED_TRANSITIONS[held.status]:
        raise ValidationError(
            f"A request that is '{held.get_status_display()}' cannot become '{RequestStatus(to).label}'"
        )
    held.status = to
    held.save(update_fields=["status"])
    return held


@transaction.atomic
def sar_open(
    *, actor: User, person: Person, requester: str, received_on: datetime.date, notes: str = ""
) -> SubjectAccessRequest:
    """Open a request for everything held about `person`, due one calendar month after it was received.

    Before: `actor` is an administrator. Besides: every other member of the person's families is
    withheld at once as a third party (`automatic`), for the administrator to release where they
    agree (each with its name, for the request's page); the opening is written to the person's access
    log."""
    _check_actor(actor)
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date received must be today or in the past"})
    request = SubjectAccessRequest.objects.create(
        person=person,
        requester=requester,
        received_on=received_on,
        due_on=one_month_after(received_on),
        notes=notes,
        opened_by=actor,
    )
    scope = selectors.scope_of(person)
    members = selectors.GROUPS_BY_KEY["members"]
    Redaction.objects.bulk_create(
        Redaction(
            request=request,
            item_type=ItemType.PERSON,
            item_id=other.id,
            reason=WithholdReason.THIRD_PARTY,
            automatic=True,
            marked_by=actor,
            **_about(other),
        )
        for other in selectors.page_items(members, members.rows(scope), scope)
    )
    access_log_record(
        user=actor,
        action=AccessLog.Action.VIEW,
        record_type=RECORD_TYPE,
        record_id=request.pk,
        subject=Subject(person_ids=(person.pk,)),
    )
    return request


def _editable(request: SubjectAccessRequest) -> SubjectAccessRequest:
    held = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if held.status != RequestStatus.DRAFT:
        raise ValidationError("Reopen the request to change what is withheld")
    return held


@transaction.atomic
def redaction_withhold(
    *,
    actor: User,
    request: SubjectAccessRequest,
    items: Iterable[tuple[str, int]],
    reason: str,
    explanation: str = "",
) -> int:
    """Withhold `items` (type and id) from the request's export for `reason`; an item withheld already
    takes the new reason. Before: the request is being checked (draft); "other" is explained.
    Besides: each redaction keeps its item's title and date, read from the person's record, for the
    request's page (an item outside the record keeps none). Returns how many items."""
    _check_actor(actor)
    held = _editable(request)
    if reason not in WithholdReason.values:
        raise ValidationError({"reason": "Select why the items are withheld"})
    explanation = explanation.strip()
    if reason == WithholdReason.OTHER and not explanation:
        raise ValidationError({"explanation": "Explain why the items are withheld"})
    items = list(dict.fromkeys((str(t), int(i)) for t, i in items))
    if not items:
        raise ValidationError({"items": "Select the items to withhold"})
    if any(t not in ItemType.values for t, _ in items):
        raise ValidationError({"items": "Select the items to withhold"})
    now = timezone.now()
    # Each item's title and date, for the request's page (a query or so per kind of record).
    found = selectors.items_by_key(selectors.scope_of(held.person), items)
    Redaction.objects.bulk_create(
        [
            Redaction(
                request=held,
                item_type=t,
                item_id=i,
                reason=reason,
                explanation=explanation,
                marked_by=actor,
                marked_at=now,
                **_about(found.get((t, i))),
            )
            for t, i in items
        ],
        update_conflicts=True,
        unique_fields=["request", "item_type", "item_id"],
        update_fields=["reason", "explanation", "marked_by", "marked_at", "automatic", "title", "item_date"],
    )
    return len(items)


@transaction.atomic
def redaction_release(*, actor: User, request: SubjectAccessRequest, items: Iterable[tuple[str, int]]) -> int:
    """Give these items in the export after all. Before: the request is being checked (draft)."""
    _check_actor(actor)
    held = _editable(request)
    released = 0
    for t, i in dict.fromkeys((str(t), int(i)) for t, i in items):
        released += Redaction.objects.filter(request=held, item_type=t, item_id=i).delete()[0]
    return released


@transaction.atomic
def sar_mark_ready(*, actor: User, request: SubjectAccessRequest) -> SubjectAccessRequest:
    """The administrator has checked every item: what is withheld can no longer change unless the
    request is reopened."""
    _check_actor(actor)
    return _move(request, RequestStatus.READY)


@transaction.atomic
def sar_reopen(*, actor: User, request: SubjectAccessRequest) -> SubjectAccessRequest:
    """Back to checking what to withhold (a new export is made after)."""
    _check_actor(actor)
    return _move(request, RequestStatus.DRAFT)


def withheld_list(request: SubjectAccessRequest) -> list[dict]:
    """What is withheld now, as the export's parameters keep it (so the export records what it
    withheld, whatever changes later)."""
    return [
        {
            "type": r.item_type,
            "id": r.item_id,
            "reason": r.reason,
            "reason_words": r.reason_words,
            "by": r.marked_by.get_full_name() or r.marked_by.username,
            "at": r.marked_at.isoformat(),
        }
        for r in request.redactions.select_related("marked_by").order_by("item_type", "item_id")
    ]


@transaction.atomic
def sar_export(*, actor: User, request: SubjectAccessRequest) -> Export:
    """Ask for the request's export (the PDF and the JSON, in a zip) with what is withheld now.

    Before: the request is ready (or exported, to make it again). Besides: the request becomes
    exported and names the export; the export's job is queued on commit (`outcomes.exports`), and
    its making and its download are written to the person's access log."""
    _check_actor(actor)
    held = _move(request, RequestStatus.EXPORTED)
    export = export_request(
        actor=actor,
        kind=KIND,
        parameters={"request_id": held.pk, "reference": held.reference, "withheld": withheld_list(held)},
    )
    held.export = export
    held.exported_at = timezone.now()
    held.save(update_fields=["export", "exported_at"])
    return export
