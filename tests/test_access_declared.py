"""Every route declares who may use it, and anonymous users get nowhere they should not.

Pages carry an `access` attribute from the decorators in cases/access.py; API views name their
`permission_classes` on a class of ours (the DRF default, IsAdminUser, is a safety net, not a
decision). The Django admin is exempt: it checks staff status itself.
"""

from __future__ import annotations

import inspect
import re
import types
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.urls.resolvers import RegexPattern
from drf_spectacular.views import SpectacularAPIView
from rest_framework.decorators import api_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from cases.access import case_permission, public, roles_required, signed_in
from cases.roles import Role

# What a path converter is given when a route is requested without a real object behind it.
SAMPLE_VALUES = {
    "int": "1",
    "slug": "allocate",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
EXEMPT_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Route:
    url: str
    name: str
    namespaces: tuple[str, ...]
    callback: object

    @property
    def is_api(self) -> bool:
        return getattr(self.callback, "cls", None) is not None

    @property
    def exempt(self) -> bool:
        return bool(self.namespaces) and self.namespaces[0] in EXEMPT_NAMESPACES


def _sample(pattern) -> str:
    """The pattern as a requestable path: converters get a sample value; a re_path is used as
    written, so one with groups will not resolve and its anonymous test fails until given a sample."""
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        return text.removeprefix("^").removesuffix("$").replace("\\", "")
    return CONVERTER.sub(lambda m: SAMPLE_VALUES.get(m["converter"] or "str", "{" + m["name"] + "}"), text)


def walk(patterns=None, prefix: str = "/", namespaces: tuple[str, ...] = ()) -> list[Route]:
    """Every URL pattern under `patterns` (the project's URLconf by default), through includes."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            routes += walk(pattern.url_patterns, prefix + _sample(pattern.pattern), inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = ":".join(namespaces + (pattern.name or "(unnamed)",))
            routes.append(Route(prefix + _sample(pattern.pattern), name, namespaces, pattern.callback))
    return routes


def _ours(klass: type) -> bool:
    """Defined in this project's source, not in an installed package."""
    try:
        source = Path(inspect.getfile(klass)).resolve()
    except TypeError:
        return False
    installed = {"site-packages", "dist-packages"} & set(source.parts)
    return source.is_relative_to(Path(settings.BASE_DIR).resolve()) and not installed


def _valid_access(access) -> bool:
    if access in ("public", "signed_in"):
        return True
    if isinstance(access, tuple) and len(access) == 2 and access[0] == "roles":
        return bool(access[1]) and all(isinstance(role, Role) for role in access[1])
    if isinstance(access, tuple) and len(access) == 2 and access[0] == "case":
        return isinstance(access[1], str) and bool(access[1])
    return False


def access_problem(route: Route) -> str | None:
    """Why `route` does not say who may use it, or None when it does."""
    if route.exempt:
        return None
    if route.is_api:
        view_class = route.callback.cls
        definer = next(klass for klass in view_class.__mro__ if "permission_classes" in vars(klass))
        # @api_view copies the default onto its generated class, hence the identity check too.
        if not _ours(definer) or view_class.permission_classes is APIView.permission_classes:
            return (
                f"{route.url} ({route.name}): {view_class.__qualname__} inherits permission_classes "
                f"from {definer.__module__}.{definer.__qualname__}; set them on the view"
            )
        return None
    if not _valid_access(getattr(route.callback, "access", None)):
        return (
            f"{route.url} ({route.name}): no access declared; decorate the view with public, signed_in, "
            "roles_required(...) or case_permission(...) from cases.access"
        )
    return None


def access_problems(patterns=None) -> list[str]:
    return [problem for route in walk(patterns) if (problem := access_problem(route))]


ROUTES = [route for route in walk() if not route.exempt]
PAGES = [route for route in ROUTES if not route.is_api]
PUBLIC_PAGES = [route for route in PAGES if getattr(route.callback, "access", None) == "public"]
PRIVATE_PAGES = [route for route in PAGES if getattr(route.callback, "access", None) != "public"]
API_ROUTES = [route for route in ROUTES if route.is_api]


def test_every_route_declares_who_may_use_it():
    assert access_problems() == []


def test_the_walk_reaches_included_api_and_admin_routes():
    names = {route.name for route in walk()}
    urls = {route.url for route in walk()}

    assert {"home", "sign-in", "cases:case-detail", "cases:case-action", "api-case-list", "api-docs"} <= names
    assert "/cases/1/allocate/" in urls
    assert "/api/v1/cases/1/chronology/" in urls
    assert any(route.exempt for route in walk())


# --- The walker fails when it should ---------------------------------------------------------


def _undeclared(request):
    return HttpResponse("undeclared")


@signed_in
def _declared(request):
    return HttpResponse("declared")


@public
def _public(request):
    return HttpResponse("public")


@case_permission("view_case")
def _case_page(request, case_id):
    return HttpResponse("case")


@roles_required()
def _no_roles(request):
    return HttpResponse("roles_required() names nobody")


class _DefaultPermissions(APIView):
    def get(self, request):
        return HttpResponse("inherits DRF's default")


class _ThirdPartyPermissions(SpectacularAPIView):
    """permission_classes come from drf-spectacular's settings, not from us."""


class _DeclaredPermissions(APIView):
    permission_classes = [IsAuthenticated]


@api_view(["GET"])
def _api_function_with_default(request):
    return HttpResponse("")


def _broken_urlconf() -> types.ModuleType:
    urlconf = types.ModuleType("tests_broken_urls")
    urlconf.urlpatterns = [
        path("plain/", _undeclared, name="plain"),
        path("declared/", _declared),
        path("public/", _public),
        path("case/<int:case_id>/", _case_page),
        path("no-roles/", _no_roles),
        path("nested/", include(([path("<int:pk>/hidden/", _undeclared, name="hidden")], "nested"))),
        path("api/default/", _DefaultPermissions.as_view()),
        path("api/third-party/", _ThirdPartyPermissions.as_view()),
        path("api/declared/", _DeclaredPermissions.as_view()),
        path("api/function/", _api_function_with_default),
        path("admin/", include(([path("anything/", _undeclared)], "admin"))),
    ]
    return urlconf


def test_the_walker_reports_undeclared_views():
    with override_settings(ROOT_URLCONF=_broken_urlconf()):
        problems = access_problems()

    reported = sorted(problem.split(" ", 1)[0] for problem in problems)
    assert reported == [
        "/api/default/",
        "/api/function/",
        "/api/third-party/",
        "/nested/1/hidden/",
        "/no-roles/",
        "/plain/",
    ]


def test_the_walker_reports_a_plain_function():
    route = Route("/plain/", "plain", (), _undeclared)

    assert "no access declared" in access_problem(route)


# --- Anonymous users ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", PRIVATE_PAGES, ids=lambda route: route.url)
def test_anonymous_users_are_sent_to_sign_in(client, db, route):
    response = client.get(route.url)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("sign-in")
    assert parse_qs(location.query) == {"next": [route.url]}


@pytest.mark.parametrize("route", PUBLIC_PAGES, ids=lambda route: route.url)
def test_public_pages_open_to_anonymous_users(client, db, route):
    response = client.get(route.url)

    assert response.status_code == 200


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda route: route.url)
def test_anonymous_api_requests_are_refused(client, db, route):
    response = client.get(route.url)

    assert response.status_code in (401, 403)


def test_there_are_routes_of_each_kind():
    # Guards the parametrised tests above against passing by having nothing to check.
    assert len(PRIVATE_PAGES) >= 10
    assert len(PUBLIC_PAGES) >= 4
    assert len(API_ROUTES) >= 5
