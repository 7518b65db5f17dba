"""Who may see a referral: the front door (duty managers, contact officers) sees them all; anyone
else sees only the referrals they made (with the outcome). Partner agencies asked for information
see the request addressed to their agency, not the referral."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.models import User
from cases.roles import Role

from .models import InformationRequest, Referral

FRONT_DOOR_ROLES = (Role.DUTY_MANAGER, Role.CONTACT_OFFICER)


def is_front_door(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*FRONT_DOOR_ROLES))


def referrals_for_user(user: User, queryset: QuerySet[Referral] | None = None) -> QuerySet[Referral]:
    queryset = Referral.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if is_front_door(user):
        return queryset.exclude(status="draft") | queryset.filter(status="draft", recorded_by_id=user.pk)
    return queryset.filter(referrer_id=user.pk)


def information_requests_for_user(user: User) -> QuerySet[InformationRequest]:
    if not user.is_authenticated or not user.agency_id:
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(agency_id=user.agency_id)
