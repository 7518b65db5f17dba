"""`GET /api/v1/dashboard/`: the dashboard's figures as JSON, every section's tables at once, for the
same people as the pages (analysts: the county; team managers: their own agency), with the same
small-number rule."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import SIGNED_IN, DeclaredAccess
from cases.models import Locality
from earlyhelp.api_docs import FIELD_ERRORS, FORBIDDEN, UNAUTHENTICATED

from .forms import LONGEST_PERIOD_DAYS, unbound_period
from .tables import COUNT, LABEL, MEASURE, SHARE, table_json
from .views import DASHBOARD_ROLES, figures_for

CELL = {
    "anyOf": [{"type": "number"}, {"type": "string", "nullable": True}],
    "description": (
        "A label, a number, or null where there is no figure. A count of 1 to 4 is the string 'fewer than 5'; a "
        "percentage, median or average made from fewer than 5 records is the string 'suppressed'."
    ),
}


@extend_schema_field({"type": "array", "items": {"type": "array", "items": CELL}})
class RowsField(serializers.JSONField):
    pass


class ColumnSerializer(serializers.Serializer):
    heading = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=[LABEL, COUNT, SHARE, MEASURE],
        help_text="label; count; share (a percentage, 0-100); measure (hours or days, or a score)",
    )


class TableSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The table's name, as the page's ?csv=<key> download names it")
    title = serializers.CharField()
    section = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    columns = ColumnSerializer(many=True)
    rows = RowsField()


class DashboardSerializer(serializers.Serializer):
    covers = serializers.CharField(help_text="Whose figures: the whole county, or the caller's agency")
    from_date = serializers.DateField()
    to_date = serializers.DateField()
    locality = serializers.CharField(allow_null=True)
    counted_at = serializers.DateTimeField()
    tables = TableSerializer(many=True)


class DashboardQuerySerializer(serializers.Serializer):
    from_date = serializers.DateField(required=False, help_text="First day of the period (default: 12 months ago)")
    to_date = serializers.DateField(required=False, help_text="Last day of the period (default: today)")
    locality = serializers.PrimaryKeyRelatedField(queryset=Locality.objects.all(), required=False)

    def validate(self, data):
        default = unbound_period()
        first = data.get("from_date", default["from_date"])
        last = data.get("to_date", default["to_date"])
        if last < first:
            raise ValidationError({"to_date": ["The end date must be the same as or after the start date"]})
        if (last - first).days > LONGEST_PERIOD_DAYS:
            raise ValidationError({"to_date": ["The period must be 5 years or shorter"]})
        return {"from_date": first, "to_date": last, "locality": data.get("locality")}


class Dashboard(APIView):
    """The dashboard's figures (counts only, never a name)."""

    permission_classes = [DeclaredAccess]
    access = (SIGNED_IN, ("roles", frozenset(DASHBOARD_ROLES)))

    @extend_schema(
        summary="The dashboard's figures",
        description=(
            "Every table of the dashboard (all four section pages) for the period (default: the last 12 months) "
            "and locality: analysts get the county's figures, team managers their own agency's. Counts of 1 to 4 "
            "are given as 'fewer than 5', and what is made from fewer than 5 records as 'suppressed'."
        ),
        parameters=[
            OpenApiParameter("from_date", str, description="First day of the period, YYYY-MM-DD"),
            OpenApiParameter("to_date", str, description="Last day of the period, YYYY-MM-DD"),
            OpenApiParameter("locality", int, description="Only this locality (its id)"),
        ],
        responses={200: DashboardSerializer, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    )
    def get(self, request):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data
        figures = figures_for(request.user, period)
        body = {
            "covers": figures.covers,
            "from_date": figures.first,
            "to_date": figures.last,
            "locality": figures.locality.name if figures.locality else None,
            "counted_at": figures.counted_at,
            "tables": [table_json(table) for table in figures.tables],
        }
        return Response(DashboardSerializer(body).data)


urlpatterns = [path("dashboard/", Dashboard.as_view(), name="api-dashboard")]
