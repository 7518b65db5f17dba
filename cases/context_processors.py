from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from .extensions import registry


@lru_cache(maxsize=256)
def _nav_items(roles: frozenset[str], has_agency: bool, script_prefix: str) -> tuple:
    """The menu of one combination of roles: the registered menu items (cases/extensions.py) shown
    to those roles, the same for everyone who has them, so worked out once. The prefix is part of
    the key: reversed URLs begin with it."""
    return tuple((item.label, reverse(item.url_name)) for item in registry.menu(roles, has_agency))


def _nav(request: HttpRequest) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    items = _nav_items(user.roles, bool(user.agency_id), get_script_prefix())
    # The one item whose address is the longest start of this page's is the active one, so
    # /front-door/information-requests/ lights "Information requests", not "Front door" too.
    path = request.path
    matches = [url for _label, url in items if path == url or (url != "/" and path.startswith(url))]
    active = max(matches, key=len) if matches else None
    return [{"label": label, "url": url, "active": url == active} for label, url in items]


def _feedback_url() -> str:
    """The phase banner's feedback link: the feedback form, else an email to the service."""
    if settings.FEEDBACK_URL:
        return settings.FEEDBACK_URL
    return f"mailto:{settings.FEEDBACK_EMAIL}" if settings.FEEDBACK_EMAIL else ""


def service(request: HttpRequest) -> dict:
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "phase": settings.PHASE,
        "feedback_url": _feedback_url(),
        "nav_items": _nav(request),
    }
