"""Signing in and the signed-in user on every page."""

from __future__ import annotations

from django.contrib.auth import backends
from django.db.models.expressions import RawSQL

from .models import User

# The names of the user's groups (their roles), as one column of the user's row. Written as SQL: the
# same question through the ORM (an aggregate over a join, grouped) cost a millisecond a page to compile.
ROLE_NAMES = RawSQL(
    "ARRAY(SELECT g.name FROM auth_group g JOIN cases_user_groups ug ON ug.group_id = g.id"
    ' WHERE ug.user_id = "cases_user"."id")',
    [],
)


class ModelBackend(backends.ModelBackend):
    """Django's username-and-password backend, reading the user's roles with the user: every page
    asks one question about who is signed in, not two."""

    def get_user(self, user_id) -> User | None:
        user = (
            User.objects.filter(pk=user_id)
            .select_related("agency")  # shown on pages; its id decides what they offer
            .annotate(role_names=ROLE_NAMES)
            .order_by("pk")
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user._roles = frozenset(name for name in user.role_names if name)
        return user
