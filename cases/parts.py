"""The shared record's own parts of the pages, registered like any other app's (cases/extensions.py):
its menu items, the case lists of each role's home page, the case page's sections and the case
lifecycle's buttons."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from . import selectors, services
from .extensions import CaseAction, CaseSection, HomePanel, MenuItem, registry
from .models import Case, CaseStatus, ChronologyEntry, Consent
from .paging import page_of_rows_counted_together
from .permissions import CHANGE_CASE, MANAGE_CASE
from .roles import CASE_LIST_ROLES, Role

HOME_ROWS = 10
CHRONOLOGY_PAGE_SIZE = 20


# --- The home page: each role's work, a few rows each -----------------------------------------------


def _list_url(query: dict[str, str]) -> str:
    url = reverse("cases:case-list")
    return f"{url}?{urlencode(query)}" if query else url


def _in_status(status: str):
    return lambda user: selectors.case_list_for_user(user=user, status=status)


def _case_panel(key: str, roles, title: str, cases, query: dict[str, str], order: int) -> HomePanel:
    def context(request: HttpRequest) -> dict:
        rows = list(selectors.case_rows(cases(user=request.user))[:HOME_ROWS])
        return {"title": title, "cases": rows, "link": _list_url(query)}

    return HomePanel(key=key, roles=frozenset(roles), template="cases/panels/cases.html", context=context, order=order)


HOME_PANELS = [
    # Each role's lists of cases: key, roles, title, the cases (a function of the user), the query
    # of the case list's "See all" link, and the order on the page.
    _case_panel("cases-led", [Role.LEAD_PROFESSIONAL], "Families you lead", selectors.cases_led, {"mine": "1"}, 10),
    _case_panel(
        "cases-in-team",
        [Role.REFERRER, Role.LEAD_PROFESSIONAL],
        "Teams around the family you are in",
        selectors.cases_in_team,
        {"mine": "1"},
        20,
    ),
    _case_panel(
        "cases-awaiting-allocation",
        [Role.PANEL_COORDINATOR],
        "Awaiting allocation",
        selectors.cases_awaiting_allocation,
        {"status": CaseStatus.AWAITING_ALLOCATION},
        30,
    ),
    _case_panel(
        "closures-to-sign-off",
        [Role.TEAM_MANAGER],
        "Closures to sign off",
        _in_status(CaseStatus.CLOSURE_REQUESTED),
        {"status": CaseStatus.CLOSURE_REQUESTED},
        40,
    ),
    _case_panel(
        "cases-awaiting-lead-professional",
        [Role.TEAM_MANAGER],
        "Awaiting a lead professional",
        _in_status(CaseStatus.AWAITING_LEAD_PROFESSIONAL),
        {"status": CaseStatus.AWAITING_LEAD_PROFESSIONAL},
        50,
    ),
    _case_panel("cases-recently-opened", [Role.DUTY_MANAGER], "Recently opened cases", selectors.cases_open, {}, 60),
    HomePanel(
        key="figures",
        roles=frozenset({Role.ANALYST}),
        template="cases/panels/figures.html",
        context=lambda request: {"figures": selectors.case_figures()},
        order=90,
    ),
    HomePanel(
        key="administration",
        roles=frozenset({Role.ADMINISTRATOR}),
        template="cases/panels/administration.html",
        context=lambda request: {},
        order=100,
    ),
]


# --- The case page --------------------------------------------------------------------------------


def _people(request: HttpRequest, case: Case) -> dict | None:
    if not case.details_visible:
        return None
    return {"people": list(selectors.case_people(case=case))}


def _team_and_consent(case: Case) -> dict[str, list[dict]]:
    """The team and consent sections' rows, read together once per page (kept on the case the page
    passes to every section)."""
    if not hasattr(case, "team_and_consent"):
        case.team_and_consent = selectors.case_team_and_consent(case=case, consents=case.details_visible)
    return case.team_and_consent


def _team(request: HttpRequest, case: Case) -> dict:
    return {"members": _team_and_consent(case)["members"], "can_manage": MANAGE_CASE in case.perms}


def _consent(request: HttpRequest, case: Case) -> dict | None:
    if not case.details_visible:
        return None
    consents = [
        {
            **row,
            "scope_label": Consent.Scope(row["scope"]).label,
            "status_label": Consent.Status(row["status"]).label,
            "method_label": Consent.Method(row["method"]).label if row["method"] else "",
            "evidence_label": Consent.Evidence(row["evidence"]).label if row["evidence"] else "",
        }
        for row in _team_and_consent(case)["consents"]
    ]
    return {"consents": consents, "can_record": CHANGE_CASE in case.perms}


def _chronology(request: HttpRequest, case: Case) -> dict:
    rows = selectors.case_chronology_rows(case=case, user=request.user)
    page, querystring = page_of_rows_counted_together(request, rows, CHRONOLOGY_PAGE_SIZE)
    entries = [{**row, "kind_label": ChronologyEntry.Kind(row["kind"]).label} for row in page.object_list]
    return {"page_obj": page, "entries": entries, "querystring": querystring}


CASE_SECTIONS = [
    CaseSection(key="people", template="cases/sections/people.html", context=_people, order=10),
    CaseSection(key="team", template="cases/sections/team.html", context=_team, order=20),
    CaseSection(key="consent", template="cases/sections/consent.html", context=_consent, order=30),
    CaseSection(key="chronology", template="cases/sections/chronology.html", context=_chronology, order=100),
]


# The lifecycle's moves (services.ALLOWED_TRANSITIONS), each a page of its own (cases:case-action).
CASE_ACTION_LABELS = {
    "allocate": "Allocate a lead agency",
    "assign_lead_professional": "Assign a lead professional",
    "request_closure": "Request closure",
    "return_closure": "Return to the lead professional",
    "sign_off_closure": "Sign off closure",
    "close_unallocated": "Close without allocation",
}
# What each says once done, on the case page's confirmation.
CASE_ACTION_DONE = {
    "allocate": "Lead agency allocated",
    "assign_lead_professional": "Lead professional assigned",
    "request_closure": "Closure requested",
    "return_closure": "Case returned to the lead professional",
    "sign_off_closure": "Closure signed off: the case is closed",
    "close_unallocated": "Case closed without allocation",
}


def _lifecycle_action(action: str, label: str, order: int) -> CaseAction:
    return CaseAction(
        key=action,
        label=label,
        url=lambda case: reverse("cases:case-action", args=[case.pk, action]),
        allowed=lambda user, case: services.action_allowed(actor=user, case=case, action=action, perms=case.perms),
        order=order,
    )


CASE_ACTIONS = [
    *(_lifecycle_action(action, label, 10 + n) for n, (action, label) in enumerate(CASE_ACTION_LABELS.items())),
    CaseAction(
        key="return_to_panel",
        label="Send back to the panel",
        url=lambda case: reverse("cases:return-to-panel", args=[case.pk]),
        allowed=lambda user, case: services.action_allowed(
            actor=user, case=case, action="return_to_panel", perms=case.perms
        ),
        order=10 + len(CASE_ACTION_LABELS),
    ),
    CaseAction(
        key="add-note",
        label="Add a note",
        url=lambda case: reverse("cases:note-add", args=[case.pk]),
        allowed=lambda user, case: CHANGE_CASE in case.perms,
        order=90,
    ),
]


MENU_ITEMS = [
    MenuItem("Home", "home", order=0),
    MenuItem("Cases", "cases:case-list", roles=CASE_LIST_ROLES, order=10),
    MenuItem("People", "cases:person-search", roles=frozenset({Role.DUTY_MANAGER, Role.CONTACT_OFFICER}), order=70),
    MenuItem("Figures", "cases:figures", roles=frozenset({Role.ANALYST}), order=80),
    MenuItem("Access log", "cases:access-log", roles=frozenset({Role.ADMINISTRATOR}), order=90),
]


def register() -> None:
    registry.add(*MENU_ITEMS, *HOME_PANELS, *CASE_SECTIONS, *CASE_ACTIONS)
