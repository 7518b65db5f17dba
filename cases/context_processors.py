from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .roles import Role


def _nav(request: HttpRequest) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    items = [("Home", reverse("home"))]
    if user.is_superuser or user.has_role(
        Role.DUTY_MANAGER,
        Role.PANEL_COORDINATOR,
        Role.TEAM_MANAGER,
        Role.LEAD_PROFESSIONAL,
        Role.REFERRER,
        Role.CONTACT_OFFICER,
    ):
        items.append(("Cases", reverse("cases:case-list")))
    # Front door pages, by URL name only: cases does not import front_door.
    if user.is_superuser or user.has_role(Role.DUTY_MANAGER):
        items.append(("Front door", reverse("front_door:queue")))
    if user.agency_id:
        items.append(("My referrals", reverse("front_door:my-referrals")))
        items.append(("Information requests", reverse("front_door:information-requests")))
        items.append(("Make a referral", reverse("front_door:referral-new")))
    if user.has_role(Role.CONTACT_OFFICER, Role.DUTY_MANAGER):
        # Not for superusers as such: the service records contacts only for these two roles.
        items.append(("Record a contact", reverse("front_door:contact-new")))
    if user.is_superuser or user.has_role(Role.DUTY_MANAGER, Role.CONTACT_OFFICER):
        items.append(("People", reverse("cases:person-search")))
    if user.is_superuser or user.has_role(Role.ANALYST):
        items.append(("Figures", reverse("cases:figures")))
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        items.append(("Access log", reverse("cases:access-log")))
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
