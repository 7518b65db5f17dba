"""The duty managers' queue's search, filters and sort, read from the query string."""

from __future__ import annotations

from cases.list_filters import ListFilterForm, SearchField, choice, id_choice

from .models import Channel
from .selectors import QueueShow, QueueSort


class QueueFilterForm(ListFilterForm):
    """`localities` and `levels` are the (id, name) pairs the page offers; `due_soon_hours` names
    the "due soon" part of the queue."""

    search = SearchField(label="Name or reference")

    def __init__(self, data=None, *, localities, levels, due_soon_hours: int, **kwargs):
        super().__init__(data, **kwargs)
        due_soon = f"Due within {due_soon_hours} hour{'' if due_soon_hours == 1 else 's'}"
        shows = [(value, due_soon if value == QueueShow.DUE_SOON else label) for value, label in QueueShow.choices]
        self.fields["show"] = choice(choices=shows, label="which referrals to show", empty="All waiting")
        self.fields["locality"] = id_choice(options=localities, label="a locality", empty="Any locality")
        self.fields["level"] = id_choice(options=levels, label="a level of need", empty="Any level")
        self.fields["channel"] = choice(choices=Channel.choices, label="how it was received", empty="Any channel")
        self.fields["sort"] = choice(choices=QueueSort.choices, label="an order")

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or QueueSort.RECEIVED
