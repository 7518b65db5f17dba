"""Signing in and the signed-in user on every page."""

from __future__ import annotations

from django.contrib.auth import backends
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from .models import User


def user_with_agency_and_roles(user_id: int) -> User | None:
    """The user with their agency and team, and the names of their groups (their roles) as one
    array column: one query for who is signed in, made afresh on every request, so a role or an
    agency taken away counts from the next request."""
    roles = Group.objects.filter(user=OuterRef("pk")).order_by("name").values("name")
    return (
        User.objects.select_related("agency", "team")
        .annotate(role_names=ArraySubquery(roles))
        .filter(pk=user_id)
        .first()
    )


class ModelBackend(backends.ModelBackend):
    """Django's username-and-password backend, reading the user's agency, team and roles with the
    user: every page asks one question about who is signed in, not three."""

    def get_user(self, user_id) -> User | None:
        try:
            user = user_with_agency_and_roles(int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
