from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.text import capfirst

from . import models
from .bank_holidays import calendar_warning


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Practice", {"fields": ("agency", "team", "job_title", "phone")}),)
    list_display = ("username", "first_name", "last_name", "agency", "team", "is_active")
    list_filter = ("is_active", "groups", "agency__agency_type")
    list_select_related = ("agency", "team")


class NamedColumnsForm(forms.ModelForm):
    """A row of a list whose columns can be edited in place: each field is named for a screen
    reader by its column and its row ("Sort order of Level 3: Complex needs"), as a visible label
    would (the admin shows only the column's heading, which a form field does not take as a name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        row = getattr(self.instance, "name", "") or str(self.instance)
        for field in self.fields.values():
            column = capfirst(field.label or "")
            named = f"{column}: {row}" if isinstance(field, forms.BooleanField) else f"{column} of {row}"
            field.widget.attrs["aria-label"] = named


class EditableListAdmin(admin.ModelAdmin):
    """A ModelAdmin whose `list_editable` columns are named for screen readers (WCAG 1.3.1, 4.1.2)."""

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", NamedColumnsForm)
        return super().get_changelist_form(request, **kwargs)


for config in (models.LevelOfNeed, models.ClosureReason, models.AgencyType):
    admin.site.register(
        config,
        EditableListAdmin,
        list_display=("name", "code", "sort_order", "active"),
        list_editable=("sort_order", "active"),
        search_fields=("name", "code"),
    )


class DestinationForm(forms.ModelForm):
    outcomes = forms.MultipleChoiceField(
        label="Decisions it fits",
        choices=models.DecisionOutcome.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The front door offers this destination under these decisions, and refuses it under others.",
    )

    class Meta:
        model = models.Destination
        fields = ("name", "code", "description", "sort_order", "active", "opens_case", "goes_to_panel", "outcomes")


@admin.register(models.Destination)
class DestinationAdmin(EditableListAdmin):
    form = DestinationForm
    list_display = ("name", "code", "outcomes_fitted", "sort_order", "active")
    list_editable = ("sort_order", "active")
    search_fields = ("name", "code")

    @admin.display(description="Decisions it fits")
    def outcomes_fitted(self, obj) -> str:
        return ", ".join(models.DecisionOutcome(value).label for value in obj.outcomes) or "None"


@admin.register(models.Timescale)
class TimescaleAdmin(EditableListAdmin):
    list_display = ("name", "code", "amount", "unit", "reminder_before_hours")
    list_editable = ("amount", "unit", "reminder_before_hours")


@admin.register(models.BankHoliday)
class BankHolidayAdmin(admin.ModelAdmin):
    """The calendar the working-day clocks read: filled years ahead by a monthly task, and open to
    a council's own days. Says so when it ends too soon for the clocks."""

    list_display = ("date", "name")
    date_hierarchy = "date"

    def changelist_view(self, request, extra_context=None):
        warning = calendar_warning()
        if warning:
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


@admin.register(models.Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "postcode_districts")


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "agency_type", "locality", "referral_source_code", "active")
    list_filter = ("agency_type", "locality", "active")
    search_fields = ("name",)


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "locality")
    list_select_related = ("agency", "locality")


@admin.register(models.AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read only: the log is append-only in the database too."""

    list_display = ("at", "user", "action", "record_type", "record_id", "ip_address")
    list_filter = ("action", "record_type")
    list_select_related = ("user",)
    raw_id_fields = ("user", "person", "case")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox. "Could not confirm" lists the emails a worker died while sending: whether they
    went is not known, so a person checks (the mail server's log, by the message's Message-ID, or
    the recipient) and marks each sent or sends it again. Nothing else here is changed by hand."""

    list_display = ("subject", "email", "status", "channel", "created_at", "sent_at", "attempts")
    list_filter = ("status", "channel")
    list_per_page = 50
    show_full_result_count = False
    actions = ["mark_sent", "send_again"]
    fields = (
        "subject",
        "email",
        "recipient",
        "status",
        "channel",
        "created_at",
        "send_after",
        "claimed_at",
        "sent_at",
        "attempts",
        "last_error",
        "message_id",
        "provider_reference",
        "resolved_by",
        "body",
        "attachment_name",
    )
    readonly_fields = fields

    @admin.display(description="Message-ID (emails)")
    def message_id(self, obj):
        from .notifications import message_id

        return message_id(obj) if obj.channel == models.Notification.Channel.EMAIL else ""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Mark as sent (checked: it went)", permissions=["change"])
    def mark_sent(self, request, queryset):
        from .notifications import notifications_mark_sent

        self._resolve(request, queryset, notifications_mark_sent, "marked as sent")

    @admin.action(description="Send again", permissions=["change"])
    def send_again(self, request, queryset):
        from .notifications import notifications_send_again

        self._resolve(request, queryset, notifications_send_again, "queued to send again")

    def _resolve(self, request, queryset, service, done: str) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        changed = service(notification_ids=ids, by=request.user)
        for notification in models.Notification.objects.filter(pk__in=changed):
            self.log_change(request, notification, done.capitalize())
        count = len(changed)
        if count:
            self.message_user(request, f"{count} {'message' if count == 1 else 'messages'} {done}", messages.SUCCESS)
        if count < len(ids):
            self.message_user(
                request,
                f"{len(ids) - count} not changed: only messages that could not be confirmed can be marked as sent, "
                "and only those or failed messages sent again",
                messages.WARNING,
            )


class OutcomeAreaInline(admin.StackedInline):
    # Stacked, not tabular: each field has its own label (a tabular inline's inputs sit under column
    # headings that name no field for a screen reader, and its first heading is empty).
    model = models.OutcomeArea
    fields = ("position", "name", "code")
    extra = 0
    ordering = ("position", "name")
    show_change_link = True  # the area's own page, where its descriptors are edited


VERSION_IN_USE = (
    "{framework} cannot be deleted: identified needs are tagged with its outcomes, and they keep the "
    "version they were recorded under. Make another version active instead."
)
VERSION_ACTIVE = "{framework} cannot be deleted while it is the active version. Make another version active first."


@admin.register(models.OutcomeFramework)
class OutcomeFrameworkAdmin(admin.ModelAdmin):
    """The outcomes framework's versions and their areas. A council makes its own version by copying
    one (with its areas and descriptors), editing the copy and making it active; the version active
    before is kept with the needs tagged under it. A version with needs, or the active one, cannot be
    deleted (the needs protect their areas and descriptors too)."""

    list_display = ("name", "version", "active", "area_count", "created_at")
    fields = ("name", "version", "active")
    readonly_fields = ("active",)
    inlines = [OutcomeAreaInline]
    actions = ["make_active", "copy_as_new_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(area_total=Count("areas"))

    def get_actions(self, request):
        # One at a time, through the delete page, which says why a version in use stays.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Areas", ordering="area_total")
    def area_count(self, obj) -> int:
        return obj.area_total

    @admin.action(description="Make the active version (new needs are tagged with its areas)", permissions=["change"])
    def make_active(self, request, queryset):
        from .needs import outcome_framework_activate

        if queryset.count() != 1:
            self.message_user(request, "Select one version to make active", messages.ERROR)
            return
        framework = outcome_framework_activate(framework=queryset.get())
        self.log_change(request, framework, "Made the active version")
        self.message_user(request, f"{framework} is now the active version", messages.SUCCESS)

    @admin.action(description="Copy as a new version (inactive, with its areas and descriptors)", permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        from .needs import outcome_framework_copy

        if queryset.count() != 1:
            self.message_user(request, "Select one version to copy", messages.ERROR)
            return
        source = queryset.get()
        copy = outcome_framework_copy(framework=source)
        self.log_addition(request, copy, f"Copied from {source}")
        self.message_user(
            request,
            f"{copy} made from {source}, inactive: rename it, edit its areas and descriptors, then make it active",
            messages.SUCCESS,
        )

    def delete_view(self, request, object_id, extra_context=None):
        framework = self.get_object(request, object_id)
        if framework is not None:
            refusal = None
            if framework.active:
                refusal = VERSION_ACTIVE
            elif models.IdentifiedNeed.objects.filter(area__framework=framework).exists():
                refusal = VERSION_IN_USE
            if refusal:
                self.message_user(request, refusal.format(framework=framework), messages.ERROR)
                return redirect("admin:cases_outcomeframework_change", framework.pk)
        return super().delete_view(request, object_id, extra_context)


class OutcomeDescriptorInline(admin.StackedInline):
    # Stacked for the same reason as the areas: every field labelled.
    model = models.OutcomeDescriptor
    fields = ("kind", "position", "text", "code")
    extra = 0
    ordering = ("kind", "position", "pk")


@admin.register(models.OutcomeArea)
class OutcomeAreaAdmin(admin.ModelAdmin):
    """One headline outcome of a version, with its descriptors of need (an identified need may point
    at one) and of the evidence of a good outcome. A descriptor or area that needs point at cannot
    be deleted."""

    list_display = ("name", "framework", "code", "position", "descriptor_count")
    list_filter = ("framework",)
    list_select_related = ("framework",)
    search_fields = ("name", "code")
    fields = ("framework", "position", "name", "code")
    inlines = [OutcomeDescriptorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(descriptor_total=Count("descriptors"))

    @admin.display(description="Descriptors", ordering="descriptor_total")
    def descriptor_count(self, obj) -> int:
        return obj.descriptor_total

    def get_readonly_fields(self, request, obj=None):
        # An area stays in the version it was made in.
        return ("framework",) if obj is not None else ()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        area = self.get_object(request, object_id)
        if area is not None and area.needs.exists():
            self.message_user(
                request,
                f"{area} ({area.framework}) cannot be deleted: identified needs are tagged with it.",
                messages.ERROR,
            )
            return redirect("admin:cases_outcomearea_change", area.pk)
        return super().delete_view(request, object_id, extra_context)


@admin.register(models.IdentifiedNeed)
class IdentifiedNeedAdmin(admin.ModelAdmin):
    """Read only: needs are recorded and changed on the case, by its lead professional, through
    `cases.needs`, which keeps the chronology."""

    list_display = ("case", "area", "person", "status", "recorded_at", "recorded_by")
    list_filter = ("status", "area__framework", "area")
    list_select_related = ("case", "area", "person", "recorded_by")
    search_fields = ("case__reference",)
    show_full_result_count = False
    fields = (
        "case",
        "person",
        "area",
        "descriptor",
        "description",
        "status",
        "recorded_by",
        "recorded_at",
        "status_changed_at",
        "status_changed_by",
        "status_note",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
