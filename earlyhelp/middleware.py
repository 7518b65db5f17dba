"""Project-wide middleware."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.cache import patch_cache_control

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address as written in REMOTE_ADDR or X-Forwarded-For; ValueError if it is not one. An IPv4
    client seen through an IPv6 socket (::ffff:192.0.2.1) is its IPv4 address."""
    address = ipaddress.ip_address(text.strip())
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class ClientAddressMiddleware:
    """Sets REMOTE_ADDR to the client's address when the request came through a trusted proxy, so
    everything after it (the sign-in lockout, the public form's throttle, the access log) reads the
    client's address from REMOTE_ADDR alone and never reads X-Forwarded-For itself.

    A trusted proxy (TRUSTED_PROXIES: addresses or networks) appends the address it was reached from
    to X-Forwarded-For; whatever stands to the left of that came from the client and may be forged.
    So the header is read from the right, past the trusted proxies, and the first address that is
    not one of them is the client. A header from a sender that is not a trusted proxy is ignored,
    and so is a header a proxy did not write (an entry that is not an address stops the walk at the
    last proxy: that proxy's address then stands for the client, which costs the client nothing
    but a shared allowance)."""

    def __init__(self, get_response):
        self.get_response = get_response
        trusted_proxies()  # a mistyped setting stops the start, not the first request

    def __call__(self, request):
        address = self.client_address(request.META)
        if address is not None:
            request.META["REMOTE_ADDR"] = address
        return self.get_response(request)

    @staticmethod
    def client_address(meta) -> str | None:
        """The client's address, or None to leave REMOTE_ADDR as it is."""
        networks = trusted_proxies()
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if not networks or not forwarded:
            return None
        try:
            hop = _address(meta.get("REMOTE_ADDR", ""))
        except ValueError:
            return None
        for entry in reversed(forwarded.split(",")):
            if not any(hop in network for network in networks):
                break
            try:
                hop = _address(entry)
            except ValueError:
                break
        return str(hop)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user and on every API response.

    Practitioners share office computers: after sign-out, the browser must keep no copy of a page
    or an API answer about a family (in its cache or its back-forward cache). Public pages keep
    their own caching, and static files never reach this middleware (WhiteNoise serves them
    before it). Other directives a view set are kept; no-store overrides them."""

    api_prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith(self.api_prefix):
            patch_cache_control(response, no_store=True)
        return response
