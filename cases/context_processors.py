from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from .roles import Role


@lru_cache(maxsize=256)
def _nav_items(roles: frozenset[str], superuser: bool, has_agency: bool, script_prefix: str) -> tuple:
    """The menu of one combination of roles: the same for everyone who has them, so worked out once
    (eight URL reversals on every page otherwise). The prefix is part of the key: reversed URLs
    begin with it."""

    def has_role(*wanted: str) -> bool:
        return bool(roles.intersection(wanted))

    items = [("Home", reverse("home"))]
    if superuser or has_role(
        Role.DUTY_MANAGER,
        Role.PANEL_COORDINATOR,
        Role.TEAM_MANAGER,
        Role.LEAD_PROFESSIONAL,
        Role.REFERRER,
        Role.CONTACT_OFFICER,
    ):
        items.append(("Cases", reverse("cases:case-list")))
    # Front door pages, by URL name only: cases does not import front_door.
    if superuser or has_role(Role.DUTY_MANAGER):
        items.append(("Front door", reverse("front_door:queue")))
    if has_agency:
        items.append(("My referrals", reverse("front_door:my-referrals")))
        items.append(("Information requests", reverse("front_door:information-requests")))
        items.append(("Make a referral", reverse("front_door:referral-new")))
    if has_role(Role.CONTACT_OFFICER, Role.DUTY_MANAGER):
        # Not for superusers as such: the service records contacts only for these two roles.
        items.append(("Record a contact", reverse("front_door:contact-new")))
    if superuser or has_role(Role.DUTY_MANAGER, Role.CONTACT_OFFICER):
        items.append(("People", reverse("cases:person-search")))
    if superuser or has_role(Role.ANALYST):
        items.append(("Figures", reverse("cases:figures")))
    if superuser or has_role(Role.ADMINISTRATOR):
        items.append(("Access log", reverse("cases:access-log")))
    return tuple(items)


def _nav(request: HttpRequest) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    items = _nav_items(user.roles, user.is_superuser, bool(user.agency_id), get_script_prefix())
    # The one item whose address is the longest start of this page's is the active one, so
    # /front-door/information-requests/ lights "Information requests", not "Front door" too.
    path = request.path
    matches = [url for _label, url in items if path == url or (url != "/" and path.startswith(url))]
    active = max(matches, key=len) if matches else None
    return [{"label": label, "url": url, "active": url == active} for label, url in items]


def service(request: HttpRequest) -> dict:
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "phase": settings.PHASE,
        "nav_items": _nav(request),
    }
