from django.contrib import admin

from cases.admin import EditableListAdmin

from .models import ClosureDestination

admin.site.register(
    ClosureDestination,
    EditableListAdmin,
    list_display=("name", "code", "sort_order", "active"),
    list_editable=("sort_order", "active"),
    search_fields=("name", "code"),
)
