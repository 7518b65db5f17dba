"""The lead professional's work with a family (issue 12). Built so far: outcome tools.

An outcome tool (Family Star Plus, My Star, Teen Star, Graded Care Profile 2, or a council's own) is
configuration: its scale, which way is better, who it is about, and its areas in order. A reading is
one use of a tool with a family (or with one child or young person of it) on a day: one score per
area. Only the scores are kept: the tools are licensed products, and their wording stays with them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Case, Person, User


class ToolSubject(models.TextChoices):
    """Who a tool's reading is about: the family as a whole, or one child or young person of it."""

    FAMILY = "family", "The whole family"
    CHILD = "child", "A child"
    YOUNG_PERSON = "young_person", "A young person"


class OutcomeToolQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class OutcomeTool(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200, unique=True)
    version = models.CharField(max_length=50, blank=True, help_text="The edition the council is licensed for")
    subject = models.CharField(
        "who it is about", max_length=20, choices=ToolSubject.choices, default=ToolSubject.FAMILY
    )
    scale_min = models.PositiveSmallIntegerField("lowest score", default=1)
    scale_max = models.PositiveSmallIntegerField("highest score")
    higher_is_better = models.BooleanField(
        default=True,
        help_text="Untick for a tool graded from best to worst, like the Graded Care Profile 2 (1 is best)",
    )
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Offered for new readings; past readings are kept either way")

    objects = OutcomeToolQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_min__lt=F("scale_max")), name="outcome_tool_scale_ordered"),
            # A scale a person can score with radios and a chart can show.
            models.CheckConstraint(condition=Q(scale_max__lte=20), name="outcome_tool_scale_at_most_20"),
            models.CheckConstraint(condition=Q(subject__in=ToolSubject.values), name="outcome_tool_subject_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def about_a_person(self) -> bool:
        return self.subject != ToolSubject.FAMILY

    @property
    def best(self) -> int:
        return self.scale_max if self.higher_is_better else self.scale_min

    @property
    def worst(self) -> int:
        return self.scale_min if self.higher_is_better else self.scale_max

    @property
    def scale_words(self) -> str:
        """ "1 to 10, higher is better" / "1 to 5, 1 is best"."""
        if self.higher_is_better:
            return f"{self.scale_min} to {self.scale_max}, higher is better"
        return f"{self.scale_min} to {self.scale_max}, {self.scale_min} is best"


class ToolArea(models.Model):
    """One area a tool scores, in the tool's order."""

    tool = models.ForeignKey(OutcomeTool, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "code"], name="tool_area_code_unique"),
            models.UniqueConstraint(fields=["tool", "name"], name="tool_area_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """One use of a tool with a family on a day: a score for every one of the tool's areas
    (`scores`). Never changed once recorded; a later reading is the next point of the journey."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="outcome_readings")
    tool = models.ForeignKey(OutcomeTool, on_delete=models.PROTECT, related_name="readings")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcome_readings",
        help_text="The child or young person the reading is about, for a tool about one person",
    )
    taken_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["taken_on", "recorded_at", "pk"]
        indexes = [models.Index(fields=["case", "tool", "taken_on"], name="reading_case_tool_idx")]

    def __str__(self) -> str:
        return f"{self.tool} on {self.taken_on:%d %B %Y}"


class Score(models.Model):
    """A reading's score in one area. A database trigger (migration 0002) refuses a score outside
    its tool's scale or for an area of another tool, whatever wrote it."""

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="scores")
    area = models.ForeignKey(ToolArea, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reading", "area"], name="score_one_per_area"),
            models.CheckConstraint(condition=Q(value__lte=20), name="score_value_at_most_20"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.value}"
