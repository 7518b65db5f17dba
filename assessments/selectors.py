"""Reads of the lead professional's work. Built so far: outcome tool readings, grouped into series
(one per tool, and per child for a tool about one person) with each area's distance travelled.
Query counts are designed here: the case page reads a case's series in one query however many
readings there are (`case_series`); the API's readings with their scores are three."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch, QuerySet
from django.db.models.functions import JSONObject

from cases.models import Case, FamilyMembership, Person

from .models import OutcomeTool, Reading, Score, ToolArea


@dataclass(frozen=True)
class AreaDistance:
    """How far the family moved in one area from its first reading to its latest: `change` is signed
    so that a move towards the better end of the scale is positive, whichever end that is. None when
    the area has fewer than two readings."""

    area: ToolArea
    first: int | None
    latest: int | None
    change: int | None

    @property
    def words(self) -> str:
        """ "2 better", "1 worse", "No change", "Not yet measured twice"."""
        if self.change is None:
            return "Not yet measured twice"
        if self.change == 0:
            return "No change"
        return f"{abs(self.change)} {'better' if self.change > 0 else 'worse'}"


@dataclass
class Series:
    """A tool's readings with a family (or with one child), oldest first, each with `values`: its
    scores by area id."""

    tool: OutcomeTool
    person: Person | None
    areas: list[ToolArea] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.tool.name}: {self.person.full_name}" if self.person else self.tool.name

    @property
    def key(self) -> str:
        """A name for the series unique on its page (ids of the chart's title and description)."""
        return f"{self.tool.code}-{self.person.pk}" if self.person else self.tool.code

    def values(self, area: ToolArea) -> list[int | None]:
        return [reading.values.get(area.pk) for reading in self.readings]

    def distance_travelled(self) -> list[AreaDistance]:
        return [distance_travelled(self.tool, area, self.values(area)) for area in self.areas]


def distance_travelled(tool: OutcomeTool, area: ToolArea, values: list[int | None]) -> AreaDistance:
    """First to latest of an area's scores (oldest first; None where a reading did not score it)."""
    scored = [value for value in values if value is not None]
    if len(scored) < 2:
        return AreaDistance(area, scored[0] if scored else None, None, None)
    first, latest = scored[0], scored[-1]
    change = latest - first if tool.higher_is_better else first - latest
    return AreaDistance(area, first, latest, change)


def tools_offered() -> QuerySet[OutcomeTool]:
    """The tools a reading may be recorded with, each with its areas in order. Two queries."""
    return OutcomeTool.objects.active().prefetch_related("areas")


def tool_offered(*, code: str) -> OutcomeTool | None:
    return tools_offered().filter(code=code).first()


def case_children(*, case: Case) -> QuerySet[Person]:
    """The children and young people of the case's family, whom a tool about one person may be about."""
    people = FamilyMembership.objects.filter(family_id=case.family_id).values("person_id")
    return Person.objects.filter(pk__in=people, kind=Person.Kind.CHILD).order_by("date_of_birth", "first_name", "pk")


def case_readings(*, case: Case) -> QuerySet[Reading]:
    """The case's readings, oldest first, with their tool (and its areas), person, recorder and
    scores. Three queries, however many readings."""
    return (
        Reading.objects.filter(case=case)
        .select_related("tool", "person", "recorded_by")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=Score.objects.select_related("area")
                .only("reading_id", "area_id", "value", "area__code", "area__sort_order")
                .order_by("area__sort_order", "area_id"),
            ),
            Prefetch("tool__areas", queryset=ToolArea.objects.order_by("sort_order", "pk")),
        )
        .order_by("taken_on", "recorded_at", "pk")
    )


def case_series(*, case: Case) -> list[Series]:
    """The case's readings as series: one per tool (in the tools' order) and, for a tool about one
    person, per child (by name); in each, the readings oldest first, and the tool's areas in order.
    One query: each reading row brings its scores and its tool's areas as arrays."""
    scores = Score.objects.filter(reading_id=OuterRef("pk")).values(pair=JSONObject(area="area_id", value="value"))
    areas = (
        ToolArea.objects.filter(tool_id=OuterRef("tool_id"))
        .order_by("sort_order", "pk")
        .values(area=JSONObject(id="id", code="code", name="name", sort_order="sort_order"))
    )
    readings = (
        Reading.objects.filter(case=case)
        .select_related("tool", "person", "recorded_by")
        .annotate(score_pairs=ArraySubquery(scores), tool_areas=ArraySubquery(areas))
        .order_by("taken_on", "recorded_at", "pk")
    )
    groups: dict[tuple[int, int | None], Series] = {}
    for reading in readings:
        reading.values = {pair["area"]: pair["value"] for pair in reading.score_pairs}
        key = (reading.tool_id, reading.person_id)
        if key not in groups:
            tool_areas = [ToolArea(tool=reading.tool, **area) for area in reading.tool_areas]
            groups[key] = Series(tool=reading.tool, person=reading.person, areas=tool_areas)
        groups[key].readings.append(reading)
    return sorted(groups.values(), key=_series_order)


def _series_order(series: Series) -> tuple:
    person = series.person
    return (series.tool.sort_order, series.tool.name, person.full_name if person else "", person.pk if person else 0)
