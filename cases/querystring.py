"""Reading what a person or a partner system typed into a query string (or a posted id).

Anything can arrive there: `str.isdigit()` is true of "²" and "٣", which `int()` then refuses or
reads as another number, and PostgreSQL refuses a null byte in any text. These helpers read an id
only from ASCII digits, a choice only from its list, and text without control characters, so
nonsense finds nothing instead of failing. (NullByteQueryMiddleware answers 400 to a query string
with a null byte before any of this runs.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# An id as PostgreSQL's bigint holds it: ASCII digits only, and no more than 18 of them.
_ID = re.compile(r"[0-9]{1,18}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_id(value: str | None) -> int | None:
    """The positive whole number `value` spells in ASCII digits, or None for anything else."""
    if value is None or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number or None


def query_id(params: Mapping[str, str], name: str) -> int | None:
    """An id from a query string (`request.GET`) or a posted form, or None."""
    return parse_id(params.get(name))


def query_choice(params: Mapping[str, str], name: str, choices: Iterable[str], default: str = "") -> str:
    """The value of `name` if it is one of `choices`, else `default`."""
    value = params.get(name)
    return value if value is not None and value in set(choices) else default


def query_text(params: Mapping[str, str], name: str, max_length: int = 100) -> str:
    """Text typed into a search box: control characters dropped, trimmed, at most `max_length`."""
    return _CONTROL.sub("", params.get(name) or "").strip()[:max_length].strip()


def has_null_byte(query_string: str) -> bool:
    """Whether a raw query string carries a null byte, sent as %00 or as the byte itself."""
    return "%00" in query_string or "\x00" in query_string
