"""Every page declares who may use it. Pages without a declaration are refused by the test that
walks the URL patterns (tests/test_access_declared.py), and LoginRequiredMiddleware refuses every
page to anonymous users unless it is declared public."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied

from .roles import Role


def public(view):
    """Anyone, signed in or not."""
    view = login_not_required(view)
    view.access = "public"
    return view


def signed_in(view):
    """Any signed-in user: the page itself shows only what the user may see."""
    view.access = "signed_in"
    return view


def roles_required(*roles: Role):
    """Signed-in users holding one of `roles` (superusers too); others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (request.user.is_superuser or request.user.has_role(*roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access = ("roles", tuple(roles))
        return wrapped

    return decorator


def case_permission(perm: str):
    """The page loads its case through `case_get_for_user(perm=...)`: 404 without `perm`."""

    def decorator(view):
        view.access = ("case", perm)
        return view

    return decorator
