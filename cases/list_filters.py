"""The filters, search and sort of a list page, read from its query string as a form.

Choices are checked against the options the page offers, as strings: an id typed with a digit of
another script ("²", "٣") or with anything but its ASCII digits is not one of them, so it gets a
message instead of a server error or someone else's row, and no unchecked value reaches the
database. (A null byte never gets this far: NullByteQueryMiddleware answers 400 first.) A page
whose filters are not valid answers 400 with the error summary, keeps what was typed, and lists
nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class ListFilterForm(forms.Form):
    """A list page's filters, bound to `request.GET`. Its fields' ids are their names (the page's
    own inputs), so the error summary links to them."""

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(data, **kwargs)

    def typed(self, name: str) -> str:
        """What was typed or chosen for `name`, as sent, to show it again."""
        return self.data.get(name, "") if self.is_bound else ""


def id_choice(*, options: Iterable[tuple[int, str]], label: str, empty: str, extra=()) -> forms.TypedChoiceField:
    """A filter choosing one of `options` ((id, name) pairs) by its id; `extra` are further
    (value, name) choices kept as strings (like "none")."""
    choices = [(str(pk), name) for pk, name in options]
    return forms.TypedChoiceField(
        choices=[("", empty), *extra, *choices],
        coerce=lambda value: int(value) if value.isascii() and value.isdigit() else value,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": f"Select {label} from the list"},  # noqa: S608 (words, not SQL)
    )


def choice(*, choices, label: str, empty: str | None = None, initial: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=([("", empty)] if empty is not None else []) + list(choices),
        required=False,
        initial=initial,
        error_messages={"invalid_choice": f"Select {label} from the list"},  # noqa: S608 (words, not SQL)
    )


class SearchField(forms.CharField):
    """Free text to search a list by: trimmed, at most `max_length` characters, no control
    characters."""

    def __init__(self, *, label: str, max_length: int = 100, **kwargs):
        super().__init__(label=label, max_length=max_length, required=False, **kwargs)
        self.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"

    def validate(self, value):
        super().validate(value)
        if CONTROL_CHARACTERS.search(value):
            raise forms.ValidationError(
                f"{self.label} must only include letters, numbers, spaces and punctuation", code="control"
            )


class CaseListFilterForm(ListFilterForm):
    """The case list's search, filters and sort. `localities` and `lead_professionals` are the
    (id, name) pairs the page offers."""

    search = SearchField(label="Name or reference")

    def __init__(self, data=None, *, statuses, localities, lead_professionals, sorts, no_lead_professional, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["status"] = choice(choices=statuses, label="a status", empty="Any status")
        self.fields["locality"] = id_choice(options=localities, label="a locality", empty="Any locality")
        self.fields["lead_professional"] = id_choice(
            options=lead_professionals,
            label="a lead professional",
            empty="Anyone",
            extra=[(no_lead_professional, "Not yet assigned")],
        )
        self.fields["sort"] = choice(choices=sorts, label="an order")
        self.fields["mine"] = forms.BooleanField(required=False)
        self.no_lead_professional = no_lead_professional

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or self.fields["sort"].choices[0][0]
