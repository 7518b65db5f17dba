"""Who may see a subject access request: administrators only (404 for anyone else, the same answer as
for a request that does not exist), through the one access function the pages use. Seeing a request
shows the person's record, so each view is written to the person's access log, and each refusal."""

from __future__ import annotations

from django.http import HttpRequest

from cases.access import register_record_kind
from cases.audit import Subject, fetch_logged
from cases.models import User
from cases.roles import Role

from .models import SubjectAccessRequest
from .services import RECORD_TYPE

VIEW_REQUEST = "view_subject_access_request"
CHANGE_REQUEST = "change_subject_access_request"
PERMS = (VIEW_REQUEST, CHANGE_REQUEST)


def may_handle(user: User) -> bool:
    return user.is_active and user.has_role(Role.ADMINISTRATOR)


def sar_get_for_user(
    *, user: User, sar_id: int, perm: str = VIEW_REQUEST, request: HttpRequest | None = None, log: bool = True
) -> SubjectAccessRequest:
    """The request `sar_id` with its person and opener, for an administrator; else 404."""

    def fetch() -> SubjectAccessRequest | None:
        if perm not in PERMS or not may_handle(user):
            return None
        return SubjectAccessRequest.objects.select_related("person", "opened_by", "export").filter(pk=sar_id).first()

    def refused() -> Subject | None:
        person_id = SubjectAccessRequest.objects.filter(pk=sar_id).values_list("person_id", flat=True).first()
        return Subject(person_ids=(person_id,)) if person_id is not None else None

    return fetch_logged(
        user=user,
        record_type=RECORD_TYPE,
        record_id=sar_id,
        fetch=fetch,
        subject_of=lambda sar: Subject(person_ids=(sar.person_id,)),
        refused=refused,
        request=request,
        log=log,
    )


register_record_kind("subject_access_request", sar_get_for_user, "sar_id")
