import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render

from .querystring import has_null_byte

SESSION_STARTED = "_session_started"
SESSION_TOUCHED = "_session_touched"


class SessionLifetimeMiddleware:
    """A session lasts 12 hours at most, however active. The idle limit (SESSION_COOKIE_AGE) runs
    from the last page: the session is saved again, renewing it, once SESSION_TOUCH_SECONDS have
    passed since it last was, not on every request (a write and a commit per page otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_MAX_AGE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "Your session has ended. Sign in again."}, status=401)
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(SESSION_TOUCHED, 0) >= settings.SESSION_TOUCH_SECONDS:
                request.session[SESSION_TOUCHED] = now  # modified: saved with a new expiry
        return self.get_response(request)


class NullByteQueryMiddleware:
    """A null byte is never part of anything a person means to send, and PostgreSQL refuses it in
    any text: a page's query string carrying one is answered 400 at once, before a view passes it
    to a search or a filter. The API is left to its views, which read every query parameter
    through a serializer or a list of choices and so answer 400 naming the parameter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and has_null_byte(request.META.get("QUERY_STRING", "")):
            return render(request, "400.html", status=400)
        return self.get_response(request)
