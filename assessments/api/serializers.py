"""The outcome readings API's shapes. The output reads what `assessments.selectors` give; the input
checks types only, with messages a person can act on: every rule stays in
`assessments.services.reading_record`."""

from __future__ import annotations

from rest_framework import serializers

from front_door.api.serializers import CodeField, text

from ..models import OutcomeTool, Reading


class NeedDescriptorSerializer(serializers.Serializer):
    """The descriptor of need an identified need matches, one of its outcome area's."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True, help_text="Unique among its area's descriptors of need")
    text = serializers.CharField(read_only=True)


class ToolSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeTool
        fields = ["code", "name", "version", "subject", "scale_min", "scale_max", "higher_is_better"]


class ReadingPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class ReadingSerializer(serializers.ModelSerializer):
    tool = ToolSerializer()
    person = ReadingPersonSerializer(allow_null=True, help_text="The child or young person, for a tool about one")
    recorded_by = serializers.CharField(source="recorded_by.get_full_name")
    scores = serializers.SerializerMethodField(help_text="Each area's score, by the area's code, in the tool's order")

    class Meta:
        model = Reading
        fields = ["id", "tool", "person", "taken_on", "note", "recorded_by", "recorded_at", "scores"]

    def get_scores(self, reading: Reading) -> dict[str, int]:
        return {score.area.code: score.value for score in reading.scores.all()}


class ReadingCreateSerializer(serializers.Serializer):
    tool = CodeField(
        queryset=OutcomeTool.objects.all(), noun="outcome tool", example="family-star-plus", help_text="The tool's code"
    )
    person = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For a tool about one child or young person: the person's id (a child of the case's family)",
        error_messages={"invalid": "Enter the person as the id of a child of the family"},
    )
    taken_on = serializers.DateField(
        error_messages={
            "required": "Enter the date the reading was taken",
            "null": "Enter the date the reading was taken",
            "invalid": "Enter the date the reading was taken as a real date in the format 2026-11-30",
        }
    )
    scores = serializers.DictField(
        child=serializers.IntegerField(error_messages={"invalid": "Enter each score as a whole number"}),
        allow_empty=False,
        help_text='A score for every area of the tool, by the area\'s code: {"physical-health": 4, ...}',
        error_messages={
            "required": "Enter a score for every area of the tool",
            "empty": "Enter a score for every area of the tool",
            "not_a_dict": "Enter the scores as an object of area codes and scores",
        },
    )
    note = text("the note", max_length=5000)
