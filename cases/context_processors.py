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
    if user.is_superuser or user.has_role(Role.DUTY_MANAGER, Role.CONTACT_OFFICER):
        items.append(("People", reverse("cases:person-search")))
    if user.is_superuser or user.has_role(Role.ANALYST):
        items.append(("Figures", reverse("cases:figures")))
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        items.append(("Access log", reverse("cases:access-log")))
    path = request.path
    return [
        {"label": label, "url": url, "active": path == url or (url != "/" and path.startswith(url))}
        for label, url in items
    ]


def service(request: HttpRequest) -> dict:
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "phase": settings.PHASE,
        "nav_items": _nav(request),
    }
