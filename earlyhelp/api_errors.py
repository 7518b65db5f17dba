"""The API's 400s, one way for every app (`cases` and the apps above it): a serializer's errors and a
service's refusal become field errors named as the caller named the fields. Nested serializer errors
are flattened ({"children": [{}, {"upn": [...]}]} -> {"children[1].upn": [...]}); a service's errors
about the n-th person it was given ("people[n].field") go under the name the caller gave that person."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.serializers import Serializer
from rest_framework.settings import api_settings

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
PEOPLE_KEY = re.compile(r"people\[(\d+)\]\.(.+)")


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as one level: {"children": [{}, {"upn": [...]}]} -> {"children[1].upn": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in (NON_FIELD, NON_FIELD_ERRORS):
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, path).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and not any(isinstance(item, dict | list) for item in detail):
        flat[prefix or NON_FIELD] = [str(message) for message in detail]
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            for field, messages in flatten_errors(item, f"{prefix}[{index}]").items():
                flat.setdefault(field, []).extend(messages)
    else:
        flat[prefix or NON_FIELD] = [str(detail)]
    return flat


def validated(serializer: Serializer) -> dict:
    """The serializer's data, or the API's 400 with its field errors."""
    if not serializer.is_valid():
        raise ValidationError(flatten_errors(serializer.errors))
    return serializer.validated_data


@contextmanager
def service_errors(*, people: Sequence[str] = (), rename: dict[str, str] | None = None) -> Iterator[None]:
    """A service's refusal (Django's ValidationError) as the API's 400: its messages under the fields
    as the caller named them (`rename`: the service's name to the API's). `people` names each person
    passed to the service, in order ("children[0]", "adults[0]", ...)."""
    try:
        yield
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ValidationError({NON_FIELD: error.messages}) from error
        errors: dict[str, list[str]] = {}
        for key, messages in error.message_dict.items():
            if match := PEOPLE_KEY.fullmatch(key):
                person = people[int(match[1])]
                key = person if match[2] == NON_FIELD_ERRORS else f"{person}.{match[2]}"
            elif key == NON_FIELD_ERRORS:
                key = NON_FIELD
            key = (rename or {}).get(key, key)
            errors.setdefault(key, []).extend(messages)
        raise ValidationError(errors) from error
