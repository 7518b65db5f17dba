"""Signing in and the signed-in user on every page."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import backends
from django.db import connections, router

from .models import Agency, User


@cache
def _user_statement() -> str:
    """The user, their agency and the names of their groups (their roles) in one row, written once
    as SQL: through the ORM the same question cost about a millisecond a page to build and compile."""
    user_columns = ", ".join(f'u."{field.column}"' for field in User._meta.concrete_fields)
    agency_columns = ", ".join(f'a."{field.column}"' for field in Agency._meta.concrete_fields)
    return (
        f"SELECT {user_columns}, {agency_columns},"  # noqa: S608 (our own tables and columns)
        " ARRAY(SELECT g.name FROM auth_group g JOIN cases_user_groups ug ON ug.group_id = g.id"
        "  WHERE ug.user_id = u.id)"
        f" FROM {User._meta.db_table} u LEFT JOIN {Agency._meta.db_table} a ON a.id = u.agency_id"
        " WHERE u.id = %s"
    )


def user_with_agency_and_roles(user_id: int) -> User | None:
    using = router.db_for_read(User)
    with connections[using].cursor() as cursor:
        cursor.execute(_user_statement(), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    user_fields, agency_fields = User._meta.concrete_fields, Agency._meta.concrete_fields
    split = len(user_fields)
    user = User.from_db(using, [field.attname for field in user_fields], row[:split])
    agency_row = row[split : split + len(agency_fields)]
    agency = Agency.from_db(using, [field.attname for field in agency_fields], agency_row) if agency_row[0] else None
    User._meta.get_field("agency").set_cached_value(user, agency)
    user._roles = frozenset(name for name in row[-1] if name)
    return user


class ModelBackend(backends.ModelBackend):
    """Django's username-and-password backend, reading the user's agency and roles with the user:
    every page asks one question about who is signed in, not three."""

    def get_user(self, user_id) -> User | None:
        try:
            user = user_with_agency_and_roles(int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
