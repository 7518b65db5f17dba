"""Demo data: outcome tool readings over time (a step of `cases.demo`, after the case lifecycle has
given cases their lead professionals), recorded through `services.reading_record`.

The lead professional's active families each have Family Star Plus readings from the first weeks of
the work to this week, most areas moving up, one or two slipping back; a child's My Star;
on one, a Graded Care Profile 2 graded down (better) over time. So the case page's charts, the
distance travelled and the reviews have a journey to show."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases.demo import DemoContext, demo_step
from cases.models import Case, CaseStatus, Person

from .models import OutcomeTool
from .services import reading_record

# After the case lifecycle (cases.demo CASE_LIFECYCLE = 400) and before the assessment's and plan's
# demo steps, which may read the readings.
READINGS = 450
NOTES = [
    "Completed with mum at home; the children joined in for part of it.",
    "Scored together at the family hub. Mum felt routines have improved.",
    "Reviewed with both parents: housing still the main worry.",
]


def _dates(case: Case, count: int) -> list[datetime.date]:
    """`count` dates from a week after the case opened to three days ago, evenly spread (fewer when
    the case is young)."""
    today = timezone.localdate()
    first = min(today, timezone.localtime(case.opened_at).date() + datetime.timedelta(days=7))
    last = max(first, today - datetime.timedelta(days=3))
    span = (last - first).days
    if span < 14:
        return [last]
    return [first + datetime.timedelta(days=round(span * index / (count - 1))) for index in range(count)]


def _journey(context: DemoContext, tool: OutcomeTool, steps: int) -> list[dict[int, int]]:
    """Scores for each reading, area by area: starting towards the worse end and moving, mostly,
    towards the better one by a point or so a reading."""
    rng = context.rng
    areas = list(tool.areas.all())
    span = tool.scale_max - tool.scale_min
    direction = 1 if tool.higher_is_better else -1
    current = {area.pk: (tool.worst + direction * rng.randint(0, max(1, span // 3))) for area in areas}
    journey = [dict(current)]
    for _step in range(steps - 1):
        for area in areas:
            move = rng.choice([0, 1, 1, 1, 2, -1]) * direction
            current[area.pk] = min(tool.scale_max, max(tool.scale_min, current[area.pk] + move))
        journey.append(dict(current))
    return journey


def _record(context: DemoContext, case: Case, code: str, count: int, person: Person | None = None) -> None:
    tool = OutcomeTool.objects.prefetch_related("areas").get(code=code)
    dates = _dates(case, count)
    for index, (taken_on, scores) in enumerate(zip(dates, _journey(context, tool, len(dates)), strict=True)):
        reading_record(
            actor=case.lead_professional,
            case=case,
            tool=tool,
            person=person,
            taken_on=taken_on,
            scores=scores,
            note=NOTES[index % len(NOTES)] if index in (0, len(dates) - 1) else "",
        )


@demo_step(READINGS)
def demo_outcome_readings(context: DemoContext) -> None:
    leads = [context.users[name] for name in ("lead.professional", "second.lead") if name in context.users]
    cases = list(
        Case.objects.filter(status=CaseStatus.ACTIVE, lead_professional__in=leads)
        .select_related("family", "lead_professional")
        .order_by("opened_at", "id")[:8]
    )
    for number, case in enumerate(cases):
        _record(context, case, "family-star-plus", 3 if number % 3 else 4)
        child = case.family.people.filter(kind=Person.Kind.CHILD).order_by("date_of_birth", "id").last()
        if child is not None:
            _record(context, case, "my-star", 2, person=child)
        if number == 1:
            _record(context, case, "graded-care-profile-2", 2)
