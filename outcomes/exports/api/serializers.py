from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..kinds import kind_for
from ..models import Export, ExportStatus


class ExportSerializer(serializers.ModelSerializer):
    """Where an export stands, for the person who asked for it."""

    status = serializers.ChoiceField(choices=ExportStatus.choices, read_only=True)
    label = serializers.SerializerMethodField(help_text="What the export is, in words")
    download_url = serializers.SerializerMethodField(
        help_text="Where to download the file (once): null until it is ready, and after it was downloaded or deleted"
    )

    class Meta:
        model = Export
        fields = [
            "id",
            "kind",
            "label",
            "status",
            "rows_done",
            "rows_total",
            "created_at",
            "finished_at",
            "expires_at",
            "downloaded_at",
            "error",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_label(self, export: Export) -> str:
        kind = kind_for(export.kind)
        return kind.label if kind else export.kind

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, export: Export) -> str | None:
        if not export.downloadable:
            return None
        return reverse("exports:export-download", args=[export.pk])
