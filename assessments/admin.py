"""A council's outcome tools, configured by its administrators: the seeded four and any of its own.
Readings are case records and are not in the admin."""

from django.contrib import admin
from django.utils.text import capfirst

from cases.admin import EditableListAdmin, NamedColumnsForm

from .models import OutcomeTool, ToolArea

# What a tool's readings mean: fixed once it has any (a database trigger refuses the change too).
MEANING = ("subject", "scale_min", "scale_max", "higher_is_better")


class AreaRowForm(NamedColumnsForm):
    """An area's row of the tool's table: each field named for a screen reader by its column and the
    area ("Name of Physical health"), or "... of a new area" for a row being added (the table shows
    only the column's heading, which a form field does not take as its name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            for field in self.fields.values():
                field.widget.attrs["aria-label"] = f"{capfirst(field.label or '')} of a new area"


class ToolAreaInline(admin.StackedInline):
    # Stacked, not tabular: a tabular inline's first column heading is empty (axe: empty-table-header).
    model = ToolArea
    form = AreaRowForm
    fields = ("sort_order", "name", "code")
    extra = 0
    min_num = 1
    prepopulated_fields = {"code": ("name",)}

    def has_delete_permission(self, request, obj=None) -> bool:
        # An area that has been scored stays (its scores protect it); before any reading, it may go.
        return obj is None or not obj.readings.exists()


@admin.register(OutcomeTool)
class OutcomeToolAdmin(EditableListAdmin):
    inlines = [ToolAreaInline]
    list_display = ("name", "code", "subject", "scale", "sort_order", "active")
    list_editable = ("sort_order", "active")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    fields = ("name", "code", "version", *MEANING, "sort_order", "active")

    @admin.display(description="Scale")
    def scale(self, obj: OutcomeTool) -> str:
        return obj.scale_words

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.readings.exists():
            return MEANING
        return ()
