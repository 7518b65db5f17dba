"""Signing in and out: the GOV.UK sign-in page, lock-out after repeated failures (django-axes),
POST-only sign-out, and the 30-minute idle and 12-hour absolute session limits."""

from __future__ import annotations

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import RequestFactory
from django.utils import timezone

from cases.backends import ModelBackend
from cases.middleware import SESSION_STARTED, SESSION_TOUCHED
from cases.roles import Role
from tests.factories import UserFactory

PASSWORD = "a-test-password-42"
SIGN_IN = "/accounts/sign-in/"
SIGN_OUT = "/accounts/sign-out/"


@pytest.fixture
def user(db):
    return UserFactory(username="demo.user", first_name="Robin", last_name="Ashby")


@pytest.fixture
def signed_in_client(client, user):
    response = client.post(SIGN_IN, {"username": "demo.user", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_sign_in_lands_on_the_home_page(client, user):
    response = client.post(SIGN_IN, {"username": "demo.user", "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert '<h1 class="govuk-heading-l">Hello, Robin</h1>' in response.content.decode()
    assert "Robin Ashby" in response.content.decode()


def test_sign_in_returns_to_the_page_asked_for(client, user):
    response = client.post(SIGN_IN, {"username": "demo.user", "password": PASSWORD, "next": "/privacy/"})

    assert response.status_code == 302
    assert response["Location"] == "/privacy/"


def test_sign_in_does_not_send_users_to_another_site(client, user):
    response = client.post(SIGN_IN, {"username": "demo.user", "password": PASSWORD, "next": "https://example.com/"})

    assert response["Location"] == "/"


def test_wrong_password_shows_the_error_summary_and_keeps_the_username(client, user):
    response = client.post(SIGN_IN, {"username": "demo.user", "password": "not-the-password"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in page
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary">' in page
    assert '<a href="#id_username">Enter a correct username and password. Both are case sensitive.</a>' in page
    assert 'name="username" type="text" autocomplete="username" spellcheck="false" value="demo.user"' in page
    assert "not-the-password" not in page
    assert not _is_signed_in(client)


def test_empty_form_asks_for_both_fields(client, db):
    response = client.post(SIGN_IN, {"username": "", "password": ""})

    page = response.content.decode()
    assert '<li><a href="#id_username">Enter your username</a></li>' in page
    assert '<li><a href="#id_password">Enter your password</a></li>' in page


def test_four_failures_do_not_lock_the_account(client, user):
    for _ in range(4):
        client.post(SIGN_IN, {"username": "demo.user", "password": "not-the-password"})

    response = client.post(SIGN_IN, {"username": "demo.user", "password": PASSWORD})

    assert response.status_code == 302
    assert _is_signed_in(client)


def test_five_failures_lock_the_account_even_against_the_right_password(client, user):
    failures = [client.post(SIGN_IN, {"username": "demo.user", "password": "not-the-password"}) for _ in range(5)]

    response = client.post(SIGN_IN, {"username": "demo.user", "password": PASSWORD})

    assert [failure.status_code for failure in failures[:4]] == [200, 200, 200, 200]
    assert response.status_code in (403, 429)
    assert "registration/locked_out.html" in [template.name for template in response.templates]
    assert '<h1 class="govuk-heading-l">Your account is locked</h1>' in response.content.decode()
    assert "Try again in 15 minutes." in response.content.decode()
    assert not _is_signed_in(client)


def test_sign_out_is_post_only(signed_in_client):
    response = signed_in_client.get(SIGN_OUT)

    assert response.status_code == 405
    assert _is_signed_in(signed_in_client)


def test_sign_out_ends_the_session(signed_in_client):
    session_key = signed_in_client.session.session_key

    response = signed_in_client.post(SIGN_OUT)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/"
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not _is_signed_in(signed_in_client)


def test_the_session_idles_out_after_30_minutes(signed_in_client):
    signed_in_client.get("/")
    session = Session.objects.get(session_key=signed_in_client.session.session_key)

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Renewed on every request: the idle limit runs from the last page, not from signing in.
    assert timezone.now() + datetime.timedelta(minutes=29) < session.expire_date
    assert session.expire_date <= timezone.now() + datetime.timedelta(minutes=30)


def test_the_idle_limit_is_renewed_at_most_once_a_minute(signed_in_client):
    signed_in_client.get("/")
    key = signed_in_client.session.session_key
    first = Session.objects.get(session_key=key).expire_date

    signed_in_client.get("/")
    assert Session.objects.get(session_key=key).expire_date == first  # no write within the minute

    session = signed_in_client.session
    session[SESSION_TOUCHED] = int(time.time()) - 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=first - datetime.timedelta(minutes=5))
    signed_in_client.get("/")
    assert Session.objects.get(session_key=key).expire_date > first - datetime.timedelta(minutes=1)


def _expire_in_cache(session_key: str) -> None:
    """The cached session went when its idle time ran out (the cache keeps it no longer than that)."""
    caches[settings.SESSION_CACHE_ALIAS].delete(SessionStore(session_key).cache_key)


def test_an_idle_session_is_signed_out(signed_in_client):
    key = signed_in_client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    _expire_in_cache(key)

    response = signed_in_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/"


def test_a_session_that_is_not_in_the_table_starts_afresh(signed_in_client):
    key = signed_in_client.session.session_key
    Session.objects.filter(session_key=key).delete()
    _expire_in_cache(key)

    response = signed_in_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/"


def test_the_signed_in_user_comes_with_their_agency_and_roles_in_one_query(client_for, django_assert_num_queries):
    user = UserFactory(roles=[Role.LEAD_PROFESSIONAL, Role.REFERRER])
    request = RequestFactory().get("/")
    request.session = client_for(user).session

    request.session.load()  # the session comes from the cache: no query
    with django_assert_num_queries(1):  # the user with agency, team and roles
        loaded = get_user(request)

    assert loaded.pk == user.pk and loaded.get_username() == user.username
    assert loaded.agency.name == user.agency.name
    assert loaded.roles == {Role.LEAD_PROFESSIONAL, Role.REFERRER}


def test_a_user_without_an_agency_or_roles_can_be_signed_in(client_for):
    user = UserFactory(agency=None)

    response = client_for(user).get("/")

    assert response.status_code == 200
    assert response.wsgi_request.user.agency is None
    assert response.wsgi_request.user.roles == frozenset()


def test_a_deactivated_user_is_signed_out_on_their_next_page(signed_in_client, user):
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = signed_in_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/"


def test_a_user_id_that_is_not_a_number_is_nobody(db):
    assert ModelBackend().get_user("not-a-number") is None
    assert ModelBackend().get_user(None) is None


def _started(client, seconds_ago: int) -> None:
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - seconds_ago
    session.save()


def test_the_session_start_is_recorded_on_the_first_page(signed_in_client):
    signed_in_client.get("/")

    assert abs(signed_in_client.session[SESSION_STARTED] - time.time()) < 60


def test_a_session_younger_than_12_hours_continues(signed_in_client):
    signed_in_client.get("/")
    _started(signed_in_client, 12 * 60 * 60 - 60)

    assert _is_signed_in(signed_in_client)


def test_a_session_older_than_12_hours_is_signed_out(signed_in_client):
    signed_in_client.get("/")
    _started(signed_in_client, 12 * 60 * 60 + 1)

    response = signed_in_client.get("/cases/people/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/cases/people/"
    assert "_auth_user_id" not in signed_in_client.session
    assert not _is_signed_in(signed_in_client)


def test_an_api_call_after_12_hours_gets_401_not_a_redirect(signed_in_client):
    signed_in_client.get("/")
    _started(signed_in_client, 12 * 60 * 60 + 1)

    response = signed_in_client.get("/api/v1/cases/")

    assert response.status_code == 401
    assert not _is_signed_in(signed_in_client)


def test_signing_in_again_starts_a_new_12_hours(signed_in_client):
    signed_in_client.get("/")
    _started(signed_in_client, 12 * 60 * 60 + 1)
    signed_in_client.get("/")

    signed_in_client.post(SIGN_IN, {"username": "demo.user", "password": PASSWORD})

    assert _is_signed_in(signed_in_client)


def test_only_the_most_specific_navigation_item_is_active(db, client_for):
    from cases.roles import Role
    from tests.factories import UserFactory

    user = UserFactory(roles=[Role.DUTY_MANAGER])
    response = client_for(user).get("/front-door/information-requests/")

    active = [item["label"] for item in response.context["nav_items"] if item["active"]]
    assert active == ["Information requests"]


def test_a_role_taken_away_counts_from_the_next_request(world, client_for):
    client = client_for(world.duty_manager)
    assert client.get("/front-door/").status_code == 200

    world.duty_manager.groups.clear()

    assert client.get("/front-door/").status_code == 403


def test_an_agency_taken_away_counts_from_the_next_request(world, client_for):
    client = client_for(world.school_practitioner)
    assert client.get("/referrals/new/").status_code == 200

    type(world.school_practitioner).objects.filter(pk=world.school_practitioner.pk).update(agency=None)

    assert client.get("/referrals/new/").status_code == 403
