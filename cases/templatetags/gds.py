"""GOV.UK form fields rendered lean: `{% gds_fields form %}` renders a form's fields as the GOV.UK
Design System's radios, checkboxes, text inputs, textareas and date inputs, with the same markup
and ids crispy-forms-gds gives (so the error summary's links land), at a fraction of the cost.

crispy-forms-gds renders every field and every choice through several template includes; a
decision form with forty agencies to tick took 60 ms that way. Here the field's parts are worked
out in Python and one small template lays them out."""

from __future__ import annotations

import datetime

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

DATE_PARTS = (("Day", 2), ("Month", 2), ("Year", 4))


def _date_parts(field: BoundField) -> list[str]:
    value = field.value()
    if isinstance(value, datetime.date):
        return [str(value.day), str(value.month), str(value.year)]
    if isinstance(value, list | tuple):
        return [str(part or "") for part in value] + [""] * (3 - len(value))
    return ["", "", ""]


def field_context(field: BoundField) -> dict:
    """What the template needs to lay out one field, worked out once."""
    widget = field.field.widget
    errors = list(field.errors)
    context = {
        "name": field.html_name,
        "id": field.auto_id,
        "label": field.label,
        "hint": field.help_text,
        "errors": errors,
        "error_id": f"{field.auto_id}_1_error",
    }
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        value = field.value()
        chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)} if value else set()
        context["kind"] = "checkboxes" if isinstance(widget, forms.CheckboxSelectMultiple) else "radios"
        context["items"] = [
            {"id": f"{field.auto_id}_{n}", "value": key, "label": label, "checked": str(key) in chosen}
            for n, (key, label) in enumerate(
                (
                    (choice_value, choice_label)
                    for choice_value, choice_label in field.field.choices
                    if choice_value != ""
                ),
                start=1,
            )
        ]
    elif hasattr(widget, "widgets"):
        context["kind"] = "date"
        context["parts"] = [
            {
                "id": f"{field.auto_id}_{n}",
                "name": f"{field.html_name}_{n}",
                "label": label,
                "width": width,
                "value": value,
            }
            for n, ((label, width), value) in enumerate(zip(DATE_PARTS, _date_parts(field), strict=True))
        ]
    elif isinstance(widget, forms.Textarea):
        context["kind"] = "textarea"
        context["rows"] = widget.attrs.get("rows", 5)
        context["value"] = field.value() or ""
    else:
        context["kind"] = "input"
        context["type"] = getattr(widget, "input_type", "text")
        context["value"] = field.value() or ""
    described_by = [f"{field.auto_id}_hint"] if field.help_text else []
    if errors:
        described_by.append(context["error_id"])
    context["described_by"] = " ".join(described_by)
    return context


@register.inclusion_tag("includes/gds_fields.html")
def gds_fields(form: forms.Form) -> dict:
    """Every visible field of `form`, in order."""
    return {"fields": [field_context(field) for field in form.visible_fields()]}


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
    return govuk_tag(case.get_status_display(), CASE_STATUS_COLOURS.get(case.status, "blue"))


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
