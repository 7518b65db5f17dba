"""Signing in and the signed-in user on every page."""

from __future__ import annotations

from django.contrib.auth import backends
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Value

from .models import User


class ModelBackend(backends.ModelBackend):
    """Django's username-and-password backend, reading the user's roles with the user: every page
    asks one question about who is signed in, not two."""

    def get_user(self, user_id) -> User | None:
        user = (
            User.objects.filter(pk=user_id)
            .select_related("agency")  # shown on pages; its id decides what they offer
            .annotate(role_names=ArrayAgg("groups__name", distinct=True, default=Value([])))
            .order_by("pk")
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user._roles = frozenset(name for name in user.role_names if name)
        return user
