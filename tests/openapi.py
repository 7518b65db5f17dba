"""The API contract, held by the suite: every response under /api/v1/ that a test receives through
Django's test client (and DRF's APIClient, which is one) is checked against the OpenAPI schema
drf-spectacular generates, the schema partner systems read at /api/schema/. A response the schema
does not describe fails the test that asked for it, naming the request, the status and what did
not match."""

from __future__ import annotations

import functools
import json

from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.exceptions import OpenAPIError
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

API_PREFIX = "/api/v1/"


@functools.cache
def api_schema() -> OpenAPI:
    """The schema as /api/schema/ serves it, generated once per test run (on first use, when the
    URL configuration and the database are ready)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # Rendered and read back: the generator's dictionaries hold lazy translation strings.
    return OpenAPI.from_dict(json.loads(OpenApiJsonRenderer().render(schema)))


class RequestOfResponse(DjangoOpenAPIRequest):
    """The request as openapi-core reads it to find the response's operation. Only the response is
    checked, so the body is not offered: a form body a parser has read cannot be read again."""

    @property
    def body(self) -> bytes:
        return b""


def problems(error: BaseException) -> list[str]:
    """What did not match, one line each: the schema's own messages with where in the body."""
    found = []
    cause: BaseException | None = error
    while cause is not None:
        for schema_error in getattr(cause, "schema_errors", ()):
            where = "".join(f"[{part!r}]" for part in schema_error.absolute_path) or "the body"
            found.append(f"{where}: {schema_error.message}")
        cause = cause.__cause__ or cause.__context__
    return found or [str(error) or type(error).__name__]


def check_response(response) -> None:
    """Fail (AssertionError) if an API response is not one the schema declares for its request."""
    request = response.wsgi_request
    if not request.path.startswith(API_PREFIX):
        return
    try:
        api_schema().validate_response(RequestOfResponse(request), DjangoOpenAPIResponse(response))
    except PathNotFound as error:
        # No route: Django's own not-found page, which no operation of the schema can hold.
        if response.status_code == 404:
            return
        raise AssertionError(describe(request, response, error)) from None
    except OperationNotFound as error:
        # A method the path does not offer has no operation in the schema to declare its answers:
        # a refusal (not signed in, or 405 for the method) is all it may get, and is let through.
        if response.status_code in (401, 403, 405):
            return
        raise AssertionError(describe(request, response, error)) from None
    except OpenAPIError as error:
        raise AssertionError(describe(request, response, error)) from None


def describe(request, response, error: BaseException) -> str:
    body = response.content[:500].decode(errors="replace") if not response.streaming else "(streamed)"
    lines = "\n  ".join(problems(error))
    return (
        f"The response to {request.method} {request.get_full_path()} does not match the OpenAPI schema.\n"
        f"Status {response.status_code}, {response.get('Content-Type', 'no content type')}:\n  {lines}\n"
        f"Body: {body}"
    )


def check_api_responses(monkeypatch) -> None:
    """Wrap the test client's one request method (every get, post, follow-up redirect and DRF
    APIClient call goes through it) so that each API response is checked as it arrives."""
    request = Client.request

    def checked_request(self, **kwargs):
        response = request(self, **kwargs)
        check_response(response)
        return response

    monkeypatch.setattr(Client, "request", checked_request)
