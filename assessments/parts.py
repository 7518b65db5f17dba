"""The lead professional's work on the case page (cases/extensions.py): the "Assessment, plan and
reviews" section (`summary.summary_section`: where each part stands, one query) and the "Outcome
tools" section: per tool (and per child for a tool about one person) a chart of each area over time,
the same figures as a table with the distance travelled, and the readings' notes; with the way to
record a reading for those who may. Each part's buttons and home page sections are registered by
its own `*_parts.py`."""

from __future__ import annotations

from django.http import HttpRequest

from cases.extensions import CaseSection, registry
from cases.models import Case

from . import selectors
from .charts import long_date, series_chart, series_table
from .permissions import may_record_reading, may_see_readings
from .summary import summary_section


def outcome_tools(request: HttpRequest, case: Case) -> dict | None:
    """Left out for a viewer who does not see the family's details. Three queries with readings,
    one without, however many there are."""
    if not may_see_readings(case):
        return None
    series = selectors.case_series(case=case)
    return {
        "series": [
            {
                "key": one.key,
                "title": one.title,
                "scale_words": one.tool.scale_words,
                "chart": series_chart(one),
                "table": series_table(one),
                "readings": [
                    {
                        "taken_on": long_date(reading.taken_on),
                        "recorded_by": str(reading.recorded_by),
                        "note": reading.note,
                    }
                    for reading in reversed(one.readings)
                ],
            }
            for one in series
        ],
        "can_record": may_record_reading(case),
    }


CASE_SECTIONS = [
    CaseSection(key="work", template="assessments/parts/summary.html", context=summary_section, order=35),
    CaseSection(key="outcome-tools", template="assessments/parts/outcome_tools.html", context=outcome_tools, order=40),
]


def register() -> None:
    registry.add(*CASE_SECTIONS)
