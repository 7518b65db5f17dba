"""Client addresses behind the TLS proxy: X-Forwarded-For is believed only from a trusted proxy
(TRUSTED_PROXIES), and then everything that counts or records an address (the sign-in lockout, the
public form's throttle, the access log) sees the client's, not the proxy's; a header sent by
anyone else is ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils.module_loading import import_string

from cases.models import AccessLog
from front_door import intake_views
from front_door.models import Referral
from tests.conftest import open_case
from tests.factories import UserFactory
from tests.front_door.test_intake_public import send_public

# Documentation addresses only (RFC 5737, RFC 3849).
PROXY = "192.0.2.10"
OTHER_PROXY = "192.0.2.11"
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"
STRANGER = "198.51.100.99"  # sends its own X-Forwarded-For straight to the app
PASSWORD = "a-test-password-42"
SIGN_IN = "/accounts/sign-in/"


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings):
    settings.TRUSTED_PROXIES = ["192.0.2.0/28"]


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def via_proxy(forwarded_for: str, proxy: str = PROXY) -> dict[str, str]:
    """What the proxy passes on: its own address as the peer, the client's appended to the header."""
    return {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": forwarded_for}


def sign_in(username: str, password: str, **meta: str) -> int:
    return Client().post(SIGN_IN, {"username": username, "password": password}, **meta).status_code


def fail_five_times(username: str, **meta: str) -> None:
    """The fifth failure locks the account (answered with the lock-out page)."""
    statuses = [sign_in(username, "not-the-password", **meta) for _ in range(5)]
    assert statuses[:4] == [200] * 4


# --- The middleware -------------------------------------------------------------------------------


def address_seen(**meta: str) -> str:
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    import_string("earlyhelp.middleware.ClientAddressMiddleware")(view)(RequestFactory().get("/", **meta))
    return seen["address"]


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        pytest.param(via_proxy(CLIENT_A), CLIENT_A, id="one proxy"),
        pytest.param(via_proxy(f"203.0.113.200, {CLIENT_A}"), CLIENT_A, id="the client's own header is not believed"),
        pytest.param(via_proxy(f"203.0.113.200, {CLIENT_A}, {PROXY}", OTHER_PROXY), CLIENT_A, id="two proxies"),
        pytest.param(via_proxy(f" {CLIENT_A} "), CLIENT_A, id="spaces"),
        pytest.param(via_proxy("2001:db8:0:0::1"), "2001:db8::1", id="IPv6"),
        pytest.param({"REMOTE_ADDR": PROXY}, PROXY, id="the proxy's own request"),
        pytest.param(via_proxy(f"{CLIENT_A}, not-an-address"), PROXY, id="a header the proxy did not write"),
        pytest.param(via_proxy(f"{CLIENT_A}:4431"), PROXY, id="an address with a port"),
        pytest.param({"REMOTE_ADDR": STRANGER, "HTTP_X_FORWARDED_FOR": CLIENT_A}, STRANGER, id="untrusted sender"),
        pytest.param({"REMOTE_ADDR": CLIENT_B}, CLIENT_B, id="no proxy"),
    ],
)
def test_the_client_address_is_the_right_most_one_a_trusted_proxy_reports(meta, expected):
    assert address_seen(**meta) == expected


def test_no_trusted_proxy_no_header_believed(settings):
    settings.TRUSTED_PROXIES = []

    assert address_seen(**via_proxy(CLIENT_A)) == PROXY


def test_single_addresses_and_networks_can_be_trusted(settings):
    settings.TRUSTED_PROXIES = [OTHER_PROXY, "2001:db8:ffff::/48"]

    assert address_seen(**via_proxy(CLIENT_A, OTHER_PROXY)) == CLIENT_A
    assert address_seen(**via_proxy(CLIENT_A, "2001:db8:ffff::5")) == CLIENT_A
    assert address_seen(**via_proxy(CLIENT_A, PROXY)) == PROXY


def test_it_runs_before_everything_else():
    assert django_settings.MIDDLEWARE[0] == "earlyhelp.middleware.ClientAddressMiddleware"


# --- (a) The sign-in lockout is per username and client address -------------------------------------


def test_failed_sign_ins_lock_out_that_username_from_that_client_only(db):
    UserFactory(username="duty.manager")
    UserFactory(username="other.user")

    fail_five_times("duty.manager", **via_proxy(CLIENT_A))

    assert sign_in("duty.manager", PASSWORD, **via_proxy(CLIENT_A)) in (403, 429)
    assert sign_in("duty.manager", PASSWORD, **via_proxy(CLIENT_B)) == 302
    assert sign_in("other.user", PASSWORD, **via_proxy(CLIENT_A)) == 302


def test_a_client_cannot_dodge_the_lockout_with_its_own_forwarded_for(db):
    UserFactory(username="duty.manager")

    for number in range(5):
        sign_in("duty.manager", "not-the-password", **via_proxy(f"203.0.113.{number}, {CLIENT_A}"))

    assert sign_in("duty.manager", PASSWORD, **via_proxy(f"203.0.113.77, {CLIENT_A}")) in (403, 429)


# --- (b) The public form's throttle counts each client ---------------------------------------------


def test_the_public_form_throttle_counts_each_client(db, settings, monkeypatch):
    monkeypatch.setattr(intake_views, "MIN_SECONDS", 0)
    settings.PUBLIC_REFERRAL_RATE = 2
    client = Client()
    for number in range(2):
        response = send_public(client, children=[{"first_name": f"Child{number}"}], **via_proxy(CLIENT_A))
        assert response.status_code == 302

    assert send_public(client, **via_proxy(CLIENT_A)).status_code == 429
    # The same answers, sent again from another client behind the proxy.
    assert client.post("/refer/check/", {"leave_blank": ""}, **via_proxy(f"{CLIENT_A}, {CLIENT_B}")).status_code == 302
    assert Referral.objects.exclude(status="draft").count() == 3


# --- (c) The access log records the client ----------------------------------------------------------


def test_the_access_log_records_the_client_not_the_proxy(world, client_for):
    case = open_case(world)

    response = client_for(world.lead).get(f"/cases/{case.pk}/", **via_proxy(CLIENT_A))

    assert response.status_code == 200
    assert list(AccessLog.objects.filter(case=case).values_list("ip_address", flat=True)) == [CLIENT_A]


# --- (d) A sender that is not a trusted proxy cannot choose its address --------------------------------


def test_an_untrusted_senders_forwarded_for_is_ignored(world, client_for, settings, monkeypatch):
    forged = {"REMOTE_ADDR": STRANGER}
    UserFactory(username="duty.manager")
    for number in range(5):
        sign_in("duty.manager", "not-the-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}, {PROXY}", **forged)
    assert sign_in("duty.manager", PASSWORD, HTTP_X_FORWARDED_FOR=f"203.0.113.77, {PROXY}", **forged) in (403, 429)

    monkeypatch.setattr(intake_views, "MIN_SECONDS", 0)
    settings.PUBLIC_REFERRAL_RATE = 1
    assert send_public(Client(), HTTP_X_FORWARDED_FOR=CLIENT_A, **forged).status_code == 302
    assert send_public(Client(), HTTP_X_FORWARDED_FOR=CLIENT_B, **forged).status_code == 429

    case = open_case(world)
    client_for(world.lead).get(f"/cases/{case.pk}/", HTTP_X_FORWARDED_FOR=CLIENT_A, **forged)
    assert list(AccessLog.objects.filter(case=case).values_list("ip_address", flat=True)) == [STRANGER]


def settings_behind_proxy() -> dict:
    """The client-address settings a deployment gets with BEHIND_PROXY=1 (read in a fresh process,
    as a server reads them)."""
    code = (
        "import json, earlyhelp.settings.test as s; print(json.dumps({n: getattr(s, n) for n in dir(s)"
        " if n.startswith('AXES_IPWARE_') or n in ('TRUSTED_PROXIES', 'AXES_CLIENT_IP_CALLABLE')}))"
    )
    env = {**os.environ, "BEHIND_PROXY": "1", "TRUSTED_PROXIES": "192.0.2.0/28"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    ).stdout
    return {"AXES_CLIENT_IP_CALLABLE": None, **json.loads(out)}


def test_behind_the_proxy_a_forwarded_for_from_anyone_else_does_not_dodge_the_lockout(db, settings):
    for name, value in settings_behind_proxy().items():
        setattr(settings, name, value)
    UserFactory(username="duty.manager")

    for number in range(5):
        sign_in("duty.manager", "x", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}, {PROXY}")

    assert sign_in("duty.manager", PASSWORD, REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=f"203.0.113.77, {PROXY}") in (
        403,
        429,
    )
    # ...and through the proxy, each client is still counted on its own.
    assert sign_in("duty.manager", PASSWORD, **via_proxy(CLIENT_B)) == 302
