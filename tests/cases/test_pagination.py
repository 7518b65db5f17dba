"""GOV.UK pagination: which page numbers a long list shows, and how the links keep the filters."""

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string

from cases.templatetags.gds import page_numbers


def _numbers(current: int, pages: int) -> list[int | None]:
    return page_numbers(Paginator(range(pages * 10), 10).page(current))


@pytest.mark.parametrize(
    ("current", "pages", "expected"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (1, 10, [1, 2, None, 10]),
        (3, 10, [1, 2, 3, 4, None, 10]),
        (4, 10, [1, 2, 3, 4, 5, None, 10]),  # a gap of one page shows that page, not an ellipsis
        (5, 10, [1, None, 4, 5, 6, None, 10]),
        (7, 10, [1, None, 6, 7, 8, 9, 10]),
        (10, 10, [1, None, 9, 10]),
        (500, 10_000, [1, None, 499, 500, 501, None, 10_000]),
    ],
)
def test_the_pages_shown_are_the_ends_and_either_side_of_the_current_one(current, pages, expected):
    assert _numbers(current, pages) == expected


def test_the_links_keep_the_filters_and_mark_the_current_page():
    page = Paginator(range(100), 10).page(5)

    html = render_to_string("includes/pagination.html", {"page_obj": page, "querystring": "status=active"})

    assert 'href="?status=active&page=4" rel="prev"' in html
    assert 'href="?status=active&page=6" rel="next"' in html
    assert 'href="?status=active&page=5" aria-label="Page 5" aria-current="page"' in html
    assert html.count("govuk-pagination__item--ellipsis") == 2
    assert 'aria-label="Page 3"' not in html and 'aria-label="Page 10"' in html


def test_one_page_shows_no_pagination():
    assert render_to_string("includes/pagination.html", {"page_obj": Paginator(range(5), 10).page(1)}).strip() == ""
