"""GOV.UK pieces the form renderer does not make: status tags and the page numbers of pagination.
Forms are rendered by crispy-forms-gds (`{% crispy form %}`)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases.models import CaseStatus

register = template.Library()


# A case's status as a GOV.UK tag: the colour says how far along it is.
CASE_STATUS_COLOURS = {
    "closed": "grey",
    "active": "green",
    "closure_requested": "purple",
    "awaiting_allocation": "yellow",
}


@register.simple_tag
def govuk_tag(text, colour: str = "") -> SafeString:
    """A GOV.UK tag for a status: `{% govuk_tag "Open" "green" %}`, the colour optional (grey, green,
    turquoise, blue, light-blue, purple, pink, red, orange, yellow). A tag, not an include: an include
    per row of a list cost a template render each."""
    if colour:
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, text)
    return format_html('<strong class="govuk-tag">{}</strong>', text)


@register.simple_tag
def case_status_tag(case) -> SafeString:
    """`{% case_status_tag case %}`: the case's status, coloured by how far along it is."""
    return status_tag(case.status)


@register.simple_tag
def status_tag(status: str) -> SafeString:
    """`{% status_tag row.status %}`: a case's status from its value, as `case_status_tag` shows it
    (for rows of values rather than cases)."""
    return govuk_tag(CaseStatus(status).label, CASE_STATUS_COLOURS.get(status, "blue"))


@register.simple_tag
def page_numbers(page) -> list[int | None]:
    """The page numbers GOV.UK pagination shows, None standing for an ellipsis: the first and last
    pages and those either side of the current one, a gap of one page filled by that page.
    `{% page_numbers page_obj as numbers %}`: worked out here, where a template loop over every
    page of a long list cost a test of each number."""
    current, last = page.number, page.paginator.num_pages
    shown = {1, last, current - 1, current, current + 1}
    if current == 4:
        shown.add(2)
    if current == last - 3:
        shown.add(last - 1)
    numbers: list[int | None] = []
    previous = 0
    for number in sorted(n for n in shown if 1 <= n <= last):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers
