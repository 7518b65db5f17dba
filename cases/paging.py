"""Paging for lists on pages: every list a page shows is read a page at a time."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def page_of(request: HttpRequest, items, size: int, param: str = "page") -> tuple[Page, str]:
    """The page of `items` the request asks for (the first, when it asks for none or nonsense) and
    the query string of its other parameters, for the pagination links to keep the filters."""
    page = Paginator(items, size).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    return page, query.urlencode()
