"""Paging for lists on pages: every list a page shows is read a page at a time."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.http import HttpRequest


def page_of(request: HttpRequest, items, size: int, param: str = "page") -> tuple[Page, str]:
    """The page of `items` the request asks for (the first, when it asks for none or nonsense) and
    the query string of its other parameters, for the pagination links to keep the filters."""
    page = Paginator(items, size).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    return page, query.urlencode()


def page_of_rows_counted_together(request: HttpRequest, rows, size: int, param: str = "page") -> tuple[Page, str]:
    """`page_of` for rows of values, in one query instead of two: each row of the page carries the
    number of rows in all (a window count), so there is no separate COUNT. A page past the end (a
    stale link) costs a second read, of the last page."""
    counted = rows.annotate(rows_in_all=Window(Count("*")))
    paginator = Paginator(counted, size)
    number = _page_number(request.GET.get(param))
    page_rows = list(counted[(number - 1) * size : number * size])
    if page_rows:
        # The paginator's count, known from the rows: it asks the database no more.
        paginator.count = page_rows[0]["rows_in_all"]
        page = paginator.page(number)
        page.object_list = page_rows
    else:
        page = paginator.get_page(number)
    query = request.GET.copy()
    query.pop(param, None)
    return page, query.urlencode()


def _page_number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    # Nonsense (0, negative, or past any list's end) reads as the first page or, past the end, the last.
    return min(max(1, number), 1_000_000)
