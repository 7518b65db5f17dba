"""Every route declares who may use it, the declaration is the check, and anonymous users get
nowhere they should not.

Pages carry their declaration as `view.access` (the decorators of cases/access.py); API views as
their `access` attribute, enforced by DeclaredAccess. The Django admin is exempt: it checks staff
status itself. The matrix below requests every route as every kind of user, with real records
behind the ids, and checks that each answer is the one the declaration gives: 403 where a role is
missing, 404 where the record is not the user's, and neither where the user may use the route.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.http import Http404, HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from drf_spectacular.views import SpectacularAPIView
from rest_framework.views import APIView

from cases import services as case_services
from cases.access import PUBLIC, RECORD_KINDS, SIGNED_IN, object_view, public, roles_required, signed_in
from cases.models import CaseMember, PanelRoute
from cases.roles import Role
from front_door import services
from front_door.letters import letter_create_and_send
from front_door.models import Channel, DecisionOutcome, InformationRequest
from front_door.services import PersonData
from panels import services as panel_services
from panels.models import Meeting, PanelOutcome
from tests.assessments.test_review_services import agreed_plan, review
from tests.assessments.test_taf_services import plan_meeting
from tests.conftest import VIEWERS, open_case
from tests.factories import UserFactory, family_with_members

SAMPLE_VALUES = {
    "int": "1",
    "slug": "allocate",
    "case_action": "allocate",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
EXEMPT_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    namespaces: tuple[str, ...]
    callback: object

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None)

    @property
    def is_api(self) -> bool:
        return self.view_class is not None

    @property
    def exempt(self) -> bool:
        return bool(self.namespaces) and self.namespaces[0] in EXEMPT_NAMESPACES

    def url(self, values: dict[str, str] | None = None) -> str:
        """The route as a requestable path: each id from `values` by its name, else a sample."""
        values = values or {}
        return CONVERTER.sub(
            lambda m: values.get(m["name"], SAMPLE_VALUES.get(m["converter"] or "str", "x")), self.pattern
        )

    def methods(self) -> list[str]:
        """The methods to try: an API view's own, a page's GET (a POST-only page answers 405 only
        after its declaration's checks, so GET tells as much)."""
        if not self.is_api:
            return ["GET"]
        return [m.upper() for m in ("get", "post") if hasattr(self.view_class, m)]

    def declared(self, method: str) -> tuple:
        access = getattr(self.view_class if self.is_api else self.callback, "access", None)
        if isinstance(access, dict):
            access = access.get(method)
        return tuple(access or ())


def _pattern(pattern) -> str:
    text = str(pattern)
    return text.removeprefix("^").removesuffix("$").replace("\\", "") if isinstance(pattern, RegexPattern) else text


def walk(patterns=None, prefix: str = "/", namespaces: tuple[str, ...] = ()) -> list[Route]:
    """Every URL pattern under `patterns` (the project's URLconf by default), through includes."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            routes += walk(pattern.url_patterns, prefix + _pattern(pattern.pattern), inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = ":".join(namespaces + (pattern.name or "(unnamed)",))
            routes.append(Route(prefix + _pattern(pattern.pattern), name, namespaces, pattern.callback))
    return routes


def _valid_requirement(requirement) -> bool:
    if requirement in (PUBLIC, SIGNED_IN, ("case_details",)):
        return True
    if not (isinstance(requirement, tuple) and len(requirement) == 2):
        return False
    kind, value = requirement
    if kind == "roles":
        return bool(value) and all(isinstance(role, Role) for role in value)
    return kind in RECORD_KINDS and isinstance(value, str) and bool(value)


def access_problem(route: Route) -> str | None:
    """Why `route` does not say who may use it, or None when it does."""
    if route.exempt:
        return None
    for method in route.methods():
        declared = route.declared(method)
        if not declared or not all(_valid_requirement(r) for r in declared):
            how = "set `access` on the view class" if route.is_api else "decorate the view (cases.access)"
            return f"{route.url()} ({route.name}): no access declared for {method}; {how}"
    return None


def access_problems(patterns=None) -> list[str]:
    return [problem for route in walk(patterns) if (problem := access_problem(route))]


ROUTES = [route for route in walk() if not route.exempt]
PAGES = [route for route in ROUTES if not route.is_api]
PUBLIC_PAGES = [route for route in PAGES if route.declared("GET") == (PUBLIC,)]
PRIVATE_PAGES = [route for route in PAGES if route.declared("GET") != (PUBLIC,)]
API_ROUTES = [route for route in ROUTES if route.is_api]


def test_every_route_declares_who_may_use_it():
    assert access_problems() == []


def test_the_walk_reaches_included_api_and_admin_routes():
    names = {route.name for route in walk()}

    assert {"home", "sign-in", "cases:case-detail", "cases:case-action", "api-case-list", "api-docs"} <= names
    assert any(route.pattern == "/api/v1/cases/<int:case_id>/chronology/" for route in walk())
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


@object_view("case", "view_case")
def _case_page(request, case):
    return HttpResponse("case")


def _unknown_kind(request, thing_id):
    return HttpResponse("a record kind nobody registered")


_unknown_kind.access = (("thing", "view_thing"),)


class _NoDeclaration(APIView):
    def get(self, request):
        return HttpResponse("inherits DRF's default")


class _ThirdParty(SpectacularAPIView):
    """permission_classes come from drf-spectacular's settings, not from a declaration."""


class _Declared(APIView):
    access = (SIGNED_IN,)

    def get(self, request):
        return HttpResponse("")


class _HalfDeclared(APIView):
    access = {"GET": (SIGNED_IN,)}

    def get(self, request):
        return HttpResponse("")

    def post(self, request):
        return HttpResponse("POST says nothing")


def _broken_urlconf():
    import types

    urlconf = types.ModuleType("tests_broken_urls")
    urlconf.urlpatterns = [
        path("plain/", _undeclared, name="plain"),
        path("declared/", _declared),
        path("public/", _public),
        path("case/<int:case_id>/", _case_page),
        path("unknown/<int:thing_id>/", _unknown_kind),
        path("nested/", include(([path("<int:pk>/hidden/", _undeclared, name="hidden")], "nested"))),
        path("api/default/", _NoDeclaration.as_view()),
        path("api/third-party/", _ThirdParty.as_view()),
        path("api/declared/", _Declared.as_view()),
        path("api/half/", _HalfDeclared.as_view()),
        path("admin/", include(([path("anything/", _undeclared)], "admin"))),
    ]
    return urlconf


def test_the_walker_reports_undeclared_views():
    with override_settings(ROOT_URLCONF=_broken_urlconf()):
        problems = access_problems()

    reported = sorted(problem.split(" ", 1)[0] for problem in problems)
    assert reported == [
        "/api/default/",
        "/api/half/",
        "/api/third-party/",
        "/nested/1/hidden/",
        "/plain/",
        "/unknown/1/",
    ]


def test_roles_required_must_name_a_role():
    with pytest.raises(Exception, match="names no role"):
        roles_required()


# --- Anonymous users ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", PRIVATE_PAGES, ids=lambda route: route.pattern)
def test_anonymous_users_are_sent_to_sign_in(client, db, route):
    url = route.url()

    response = client.get(url)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("sign-in")
    assert parse_qs(location.query) == {"next": [url]}


@pytest.mark.parametrize("route", PUBLIC_PAGES, ids=lambda route: route.pattern)
def test_public_pages_open_to_anonymous_users(client, db, route):
    response = client.get(route.url())

    assert response.status_code == 200


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda route: route.pattern)
def test_anonymous_api_requests_are_refused(client, db, route):
    response = client.get(route.url())

    assert response.status_code in (401, 403)


def test_there_are_routes_of_each_kind():
    # Guards the parametrised tests above against passing by having nothing to check.
    assert len(PRIVATE_PAGES) >= 30
    assert len(PUBLIC_PAGES) >= 4
    assert len(API_ROUTES) >= 10


# --- The matrix: every route, every kind of user, real records ----------------------------------


def _child(n: int) -> PersonData:
    return PersonData(
        kind="child",
        first_name="Amara",
        last_name="Okafor",
        date_of_birth=datetime.date(2016, 5, 17),
        nhs_number=["9434765919", "9434765870", "9434765862", "9434765854"][n],
    )


@pytest.fixture
def records(world):
    """A record of every kind the routes name, and the ids each route's URL is given."""
    world.contact_officer = UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    fields = {"concerns": "Missed school.", "consent_given": True, "level_of_need": world.level3}
    fields |= {"address_line_1": "1 Mill Lane", "town": "Exton", "postcode": "EX1 1AB"}
    sent = services.referral_receive(
        channel=Channel.PRACTITIONER, actor=world.school_practitioner, people=[_child(0)], **fields
    )
    asked = services.referral_receive(
        channel=Channel.PRACTITIONER, actor=world.school_practitioner, people=[_child(1)], **fields
    )
    decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=asked,
        outcome=DecisionOutcome.MORE_INFORMATION,
        level_of_need=world.level3,
        reason="Ask health.",
        information_requests=[(world.health, "Do you know the family?")],
    )
    decided = services.referral_receive(
        channel=Channel.PRACTITIONER, actor=world.school_practitioner, people=[_child(2)], **fields
    )
    letter_decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=decided,
        outcome=DecisionOutcome.STEP_UP,
        level_of_need=world.level3,
        reason="Threshold met.",
    )
    letter = letter_create_and_send(decision_id=letter_decision.pk)
    draft = services.referral_create(channel=Channel.PRACTITIONER, actor=world.school_practitioner)
    draft_person = services.referral_person_add(referral=draft, data=_child(3))
    contact = services.referral_receive(
        channel=Channel.PHONE,
        actor=world.contact_officer,
        people=[_child(3)],
        referrer_name="A caller",
        referrer_phone="01234 567890",
        **fields,
    )
    # The panel's records: a north panel set up by the north coordinator, the school's practitioner a
    # standing member, a meeting that has started with a waiting case on its agenda, a decision on it
    # and an action.
    panel = panel_services.panel_create(
        actor=world.panel_coordinator,
        name="North Early Help Panel",
        locality=world.north,
        first_meeting_on=timezone.localdate(),
        weekday=1,
        meets_at=datetime.time(10),
    )
    panel_member = panel_services.panel_member_add(
        actor=world.panel_coordinator, panel=panel, agency=world.school, user=world.school_practitioner, role="School"
    )
    started = timezone.now() - datetime.timedelta(hours=1)
    meeting = Meeting.objects.create(
        panel=panel, slot_on=timezone.localdate(started) - datetime.timedelta(days=700), starts_at=started
    )
    waiting = case_services.case_open(
        actor=world.duty_manager,
        family=family_with_members(locality=world.north),
        level_of_need=world.level3,
        panel_route=PanelRoute.FRONT_DOOR,
    )
    item = panel_services.agenda_add(actor=world.panel_coordinator, meeting=meeting, case=waiting)
    panel_decision = panel_services.decision_record(
        actor=world.panel_coordinator, item=item, outcome=PanelOutcome.DEFER, reason="Ask the school first."
    )
    action = panel_services.action_add(
        actor=world.panel_coordinator,
        meeting=meeting,
        description="Ask the school about attendance",
        owner=world.school_practitioner,
        due_on=timezone.localdate(),
        item=item,
    )
    ids = {
        "panel_id": panel.pk,
        "panel_member_id": panel_member.pk,
        "meeting_id": meeting.pk,
        "item_id": item.pk,
        "panel_decision_id": panel_decision.pk,
        "action_id": action.pk,
        "case_id": case.pk,
        "member_id": CaseMember.objects.get(case=case, user=world.school_practitioner).pk,
        "action": "request_closure",
        "person_id": case.family.memberships.first().person_id,
        "referral_id": asked.pk,
        "referral_person_id": asked.people.first().pk,
        "decision_id": decision.pk,
        "request_id": InformationRequest.objects.get(referral=asked).pk,
        "letter_id": letter.pk,
        "reference": contact.reference,
        # The lead professional's TAF meetings and reviews (an agreed plan behind them).
        "taf_meeting_id": plan_meeting(case).pk,
        "review_id": review(case, agreed_plan(case)).pk,
    }
    # Routes whose ids are of another record than the common one.
    by_route = {
        "front_door:letter-download": {"referral_id": letter.referral_id},
        "api-referral-letter": {"referral_id": letter.referral_id},
        "front_door:contact-confirm": {"referral_id": contact.pk},
        "front_door:referral-person-remove": {"referral_id": draft.pk, "person_id": draft_person.pk},
        "front_door:referral-person": {"referral_id": draft.pk, "person_id": draft_person.pk},
        "api-referral-list": {},
    }
    for name in ("children", "adults", "address", "concerns", "consent", "check", "delete", "submitted"):
        by_route[f"front_door:referral-{name}"] = {"referral_id": draft.pk}
    world.sent = sent
    return world, ids, by_route, case


# Rules finer than a route's declaration, each a function of (world, user, case) giving the status
# an allowed user gets instead of "allowed": the declaration is the least a user needs.
def _case_action(world, user, case):
    return None if case_services.action_allowed(actor=user, case=case, action="request_closure") else 403


def _return_to_panel(world, user, case):
    return None if case_services.action_allowed(actor=user, case=case, action="return_to_panel") else 403


def _contact_recorder(world, user, case):
    # A contact's confirmation pages are for the officer who recorded it.
    return None if user == world.contact_officer else 404


FINER_RULES = {
    "cases:case-action": _case_action,
    "cases:return-to-panel": _return_to_panel,
    "api-case-return-to-panel": _return_to_panel,
    "front_door:contact-recorded": _contact_recorder,
    # Only a practitioner of an agency makes a referral (every user here has one).
}
MATRIX_USERS = [*VIEWERS, "contact_officer"]
ALLOWED = "allowed"


def expected(route: Route, method: str, user, ids: dict, world, case):
    """The answer the declaration gives `user`: 403, 404 or ALLOWED."""
    record = None
    for requirement in route.declared(method):
        if requirement in (PUBLIC, SIGNED_IN):
            continue
        kind, *rest = requirement
        if kind == "roles":
            if not user.has_role(*rest[0]):
                return 403
        elif kind == "case_details":
            if not record.details_visible:
                return 404
        else:
            record_kind = RECORD_KINDS[kind]
            try:
                record = record_kind.get(
                    user=user, perm=rest[0], request=None, log=False, **{k: ids[k] for k in record_kind.id_kwargs}
                )
            except Http404:
                return 404
    finer = FINER_RULES.get(route.name)
    return (finer(world, user, case) or ALLOWED) if finer else ALLOWED


def answer(client, route: Route, method: str, url: str) -> int:
    """The status of one request, whatever it would have changed undone."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={}, content_type="application/json")
        transaction.set_rollback(True)
    return response.status_code


# Routes whose app runs this matrix itself, with the records they need behind the ids.
COVERED_ELSEWHERE = (
    *("assessments:assessment", "api-case-assessment"),  # tests/assessments/test_assessment_routes.py
    *("assessments:plan", "assessments:your-actions", "api-case-plan", "api-plan-", "api-own-plan-"),  # ..._plan_routes
    *("assessments:step-up", "assessments:fgc-", "api-case-handovers", "api-case-step-up", "api-case-fgc-"),
    *("front_door:step-down", "api-step-down-"),  # tests/assessments/test_step_routes.py
    "cases:consent-evidence",  # a signed form behind it: tests/cases/test_consent_evidence.py
    *("exports:export", "api-export-"),  # the user's own export behind it: tests/outcomes/test_exports_jobs.py
    *("outcomes:closure-evidence", "outcomes:sustained-check"),  # a closure behind it: tests/outcomes/test_closure.py
    "subject_access:request",  # a request behind it: tests/outcomes/test_subject_access.py
)
MATRIX_ROUTES = [
    route
    for route in ROUTES
    if route.declared(route.methods()[0]) != (PUBLIC,) and not route.name.startswith(COVERED_ELSEWHERE)
]


@pytest.mark.parametrize("route", MATRIX_ROUTES, ids=lambda route: route.name)
def test_every_user_gets_the_answer_the_declaration_gives(records, client_for, route):
    world, ids, by_route, case = records
    values = {**ids, **by_route.get(route.name, {})}
    url = route.url({name: str(value) for name, value in values.items()})
    mismatches = []
    for name in MATRIX_USERS:
        user = getattr(world, name)
        client = client_for(user)
        for method in route.methods():
            want = expected(route, method, user, values, world, case)
            got = answer(client, route, method, url)
            ok = got not in (401, 403, 404) if want == ALLOWED else got == want
            if not ok:
                mismatches.append(f"{name} {method} {url}: declared {want}, got {got}")

    assert mismatches == []


def test_the_matrix_sees_both_answers_for_a_record(records, client_for):
    # Guards the matrix against passing with every answer the same.
    world, ids, _by_route, case = records

    assert client_for(world.lead).get(f"/cases/{case.pk}/").status_code == 200
    assert client_for(world.health_practitioner).get(f"/cases/{case.pk}/").status_code == 404
    assert client_for(world.duty_manager).get(f"/front-door/referrals/{ids['referral_id']}/").status_code == 200
    assert client_for(world.contact_officer).get(f"/front-door/referrals/{ids['referral_id']}/").status_code == 403
    assert client_for(world.panel_coordinator).get(f"/panels/{ids['panel_id']}/waiting-list/").status_code == 200
    assert client_for(world.school_practitioner).get(f"/panels/{ids['panel_id']}/").status_code == 200
    assert client_for(world.school_practitioner).get(f"/panels/{ids['panel_id']}/waiting-list/").status_code == 404
