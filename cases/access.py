"""Every page and API view declares who may use it, and the declaration is the check.

A declaration is a list of requirements, checked in order; the first one a user fails decides the
answer:
- `public`: anyone, signed in or not (every other requirement needs a signed-in user);
- `signed_in`: any signed-in user (the page itself shows only what the user may see);
- `roles_required(*roles)`: users holding one of the roles, others 403. A superuser is not a role:
  administrators configure the system and get case work only through a role they are given;
- `object_view(kind, perm)`: a page about one record. The record's access function (registered
  here by kind: `case_get_for_user` for "case", `referral_get_for_user` for "referral" ...) is
  called with the declared permission; it logs the view or the refusal and answers 404 for
  "missing" and "not yours" alike; the view gets the record in place of its id. `case_view(perm)`
  is the case's.

Pages carry the declaration as `view.access`; API views as their `access` attribute (one for all
methods, or one per method), enforced by the `DeclaredAccess` permission and `RecordAPIView.record`.
tests/test_access_declared.py walks every URL and checks, for every role, that the answer each user
gets is the one the declaration gives. LoginRequiredMiddleware refuses every page to anonymous users
unless it is declared public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from rest_framework import generics
from rest_framework.permissions import BasePermission

from .permissions import VIEW_CASE, case_get_for_user, person_get_for_user
from .roles import Role

PUBLIC = ("public",)
SIGNED_IN = ("signed_in",)
# After a case requirement: the family's details are visible to the user.
CASE_DETAILS = ("case_details",)


@dataclass(frozen=True)
class RecordKind:
    """How one kind of record is fetched for a user: `get(user=, perm=, request=, log=, **ids)`,
    the ids named by `id_kwargs` in the URL."""

    get: Callable[..., Any]
    id_kwargs: tuple[str, ...]


RECORD_KINDS: dict[str, RecordKind] = {}


def register_record_kind(kind: str, get: Callable[..., Any], *id_kwargs: str) -> None:
    RECORD_KINDS[kind] = RecordKind(get, id_kwargs)


register_record_kind("case", case_get_for_user, "case_id")
register_record_kind("person", person_get_for_user, "person_id")


def fetch_record(kind: str, perm: str, request, ids: dict[str, Any], *, log: bool = True):
    """The record of `kind` with `ids`, if the signed-in user holds `perm` on it; else 404."""
    record_kind = RECORD_KINDS[kind]
    return record_kind.get(user=request.user, perm=perm, request=request, log=log, **ids)


def _declare(wrapped, view, requirement: tuple) -> None:
    # functools.wraps has copied the inner view's declaration: this requirement is checked first.
    wrapped.access = (requirement, *getattr(view, "access", ()))


def public(view):
    """Anyone, signed in or not."""
    view = login_not_required(view)
    view.access = (PUBLIC,)
    return view


def signed_in(view):
    """Any signed-in user: the page itself shows only what the user may see."""
    view.access = (SIGNED_IN, *getattr(view, "access", ()))
    return view


def roles_required(*roles: Role):
    """Signed-in users holding one of `roles`; others get 403."""
    if not roles:
        raise ImproperlyConfigured("roles_required() names no role")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        _declare(wrapped, view, ("roles", frozenset(roles)))
        return wrapped

    return decorator


def object_view(kind: str, perm: str, *, log: bool = True):
    """A page about one record of `kind`, for users holding `perm` on it (404 for anyone else): the
    view is called with the record in place of its ids."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            ids = {name: kwargs.pop(name) for name in RECORD_KINDS[kind].id_kwargs}
            record = fetch_record(kind, perm, request, ids, log=log)
            return view(request, record, *args, **kwargs)

        _declare(wrapped, view, (kind, perm))
        return wrapped

    return decorator


def case_view(perm: str = VIEW_CASE, *, log: bool = True, details: bool = False):
    """The page of one case, for users holding `perm` on it: the view gets the case, with
    `details_visible`, `family_name` and `perms` (see `case_get_for_user`). With `details`, only
    for those to whom the family's details are visible (404 for anyone else)."""

    def decorator(view):
        inner = view
        if details:

            @wraps(view)
            def inner(request, case, *args, **kwargs):
                if not case.details_visible:
                    raise Http404("No case found")
                return view(request, case, *args, **kwargs)

            _declare(inner, view, CASE_DETAILS)
        return object_view("case", perm, log=log)(inner)

    return decorator


# --- The API --------------------------------------------------------------------------------------


def declared(view, method: str) -> tuple:
    """The requirements an API view declares for `method`."""
    access = view.access
    if isinstance(access, dict):
        access = access.get(method.upper(), access.get("*", ()))
    return tuple(access)


class DeclaredAccess(BasePermission):
    """Enforces an API view's declaration: signed in unless public, and the roles it names (403).
    Record requirements are enforced by `RecordAPIView.record` (404)."""

    message = "You cannot do that."

    def has_permission(self, request, view) -> bool:
        requirements = declared(view, request.method)
        if not requirements:
            return False  # nothing declared for this method: refused
        for requirement in requirements:
            if requirement == PUBLIC:
                return True
            if not request.user.is_authenticated:
                return False
            if requirement[0] == "roles" and not request.user.has_role(*requirement[1]):
                self.message = getattr(view, "roles_message", self.message)
                return False
        return True


class RecordAPIView(generics.GenericAPIView):
    """An API view whose declaration names a record: `self.record()` fetches it with the declared
    permission for the request's method."""

    permission_classes = [DeclaredAccess]
    access: tuple | dict = ()

    def record(self, *, log: bool = True):
        requirement = next(r for r in declared(self, self.request.method) if r[0] in RECORD_KINDS)
        kind, perm = requirement
        ids = {name: self.kwargs[name] for name in RECORD_KINDS[kind].id_kwargs}
        return fetch_record(kind, perm, self.request, ids, log=log)
