"""Outcome tool charts: each area's score over time, drawn on the server as SVG, with the same
figures as a GOV.UK table (the chart's text alternative, shown beside it).

Small multiples: one strip per area, in the tool's order, so ten areas still read at 320 pixels
wide, where ten coloured lines on one grid would not. In every strip the better end of the scale is
at the top, whichever way the tool counts (the Graded Care Profile 2's 1 at the top, a star's 10),
so up is always better; the axis says which score is which. Points are spaced evenly by reading,
dated under the strips and in the table.

Everything the chart needs is inside the SVG (presentation attributes, no stylesheet, no script),
so the same markup serves the pages and the PDFs that WeasyPrint makes. Colours: GOV.UK blue
#1d70b8 for lines and points (5.2:1 on white) and text #0b0c0c; the guide lines #505a5f (7:1).
"""

from __future__ import annotations

import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .selectors import Series

WIDTH = 320
PLOT_LEFT = 30
PLOT_RIGHT = 300
HEADER = 24
STRIP = 82
STRIP_PLOT_TOP = 34
STRIP_PLOT_HEIGHT = 36
FOOTER = 22
LABEL_EVERY_POINT_UP_TO = 6

INK = "#0b0c0c"
LINE = "#1d70b8"
GUIDE = "#505a5f"
FONT = "Arial, Helvetica, sans-serif"


def _joined(parts: list[SafeString]) -> SafeString:
    """Markup made of parts each already escaped (format_html), joined without escaping again."""
    return format_html_join("", "{}", ((part,) for part in parts))


def short_date(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _x(index: int, count: int) -> float:
    if count == 1:
        return (PLOT_LEFT + PLOT_RIGHT) / 2
    return PLOT_LEFT + index * (PLOT_RIGHT - PLOT_LEFT) / (count - 1)


def _y(series: Series, value: int, top: float) -> float:
    """Better is up: the distance from the best score, as a share of the scale, downwards."""
    tool = series.tool
    share = abs(tool.best - value) / (tool.scale_max - tool.scale_min)
    return top + share * STRIP_PLOT_HEIGHT


def _n(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def chart_description(series: Series) -> str:
    """What the chart shows, in words: its readings, its scale, each area's first and latest score."""
    tool, readings = series.tool, series.readings
    count = len(readings)
    when = (
        f"1 reading, on {long_date(readings[0].taken_on)}"
        if count == 1
        else f"{count} readings, from {long_date(readings[0].taken_on)} to {long_date(readings[-1].taken_on)}"
    )
    parts = [f"{when}. Scores from {tool.scale_words}; the better end is drawn at the top."]
    for distance in series.distance_travelled():
        if distance.change is None:
            parts.append(f"{distance.area.name}: {distance.first if distance.first is not None else 'not scored'}.")
        else:
            parts.append(f"{distance.area.name}: {distance.first} then {distance.latest} ({distance.words.lower()}).")
    return " ".join(parts)


def series_chart(series: Series, *, id_prefix: str = "outcome-chart", point_labels: bool = True) -> SafeString:
    """The SVG chart of a series: `role="img"`, named by its <title> and described by its <desc>.
    Without `point_labels`, the points carry no numbers: for a printed page that has the series'
    table beside the chart, where each number laid out as SVG text costs WeasyPrint time."""
    tool, readings, areas = series.tool, series.readings, series.areas
    count = len(readings)
    height = HEADER + STRIP * len(areas) + FOOTER
    chart_id = f"{id_prefix}-{series.key}"
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{0}-title {0}-desc" '
            'viewBox="0 0 {1} {2}" width="{1}" height="{2}" '
            'font-family="{3}" font-size="12" fill="{4}">',
            chart_id,
            WIDTH,
            height,
            FONT,
            INK,
        ),
        format_html('<title id="{}-title">{}: scores by area over time</title>', chart_id, series.title),
        format_html('<desc id="{}-desc">{}</desc>', chart_id, chart_description(series)),
        format_html(
            '<text x="0" y="14" font-size="12">Up is better. Scale {} to {} ({} is best).</text>',
            tool.scale_min,
            tool.scale_max,
            tool.best,
        ),
    ]
    for position, area in enumerate(areas):
        top = HEADER + position * STRIP
        plot_top = top + STRIP_PLOT_TOP
        plot_bottom = plot_top + STRIP_PLOT_HEIGHT
        parts.append(format_html('<g data-area="{}">', area.code))
        parts.append(format_html('<text x="0" y="{}" font-size="13" font-weight="bold">{}</text>', top + 16, area.name))
        for value, y in ((tool.best, plot_top), (tool.worst, plot_bottom)):
            parts.append(
                format_html(
                    '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1" stroke-dasharray="2 3"/>'
                    '<text x="{4}" y="{5}" font-size="11" text-anchor="end">{6}</text>',
                    PLOT_LEFT,
                    _n(y),
                    PLOT_RIGHT,
                    GUIDE,
                    PLOT_LEFT - 6,
                    _n(y + 4),
                    value,
                )
            )
        points = [
            (_x(index, count), _y(series, value, plot_top), value)
            for index, value in enumerate(series.values(area))
            if value is not None
        ]
        if len(points) > 1:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round"/>',
                    " ".join(f"{_n(x)},{_n(y)}" for x, y, _value in points),
                    LINE,
                )
            )
        for index, (x, y, value) in enumerate(points):
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="4" fill="{}" stroke="#ffffff" stroke-width="1.5" data-value="{}"/>',
                    _n(x),
                    _n(y),
                    LINE,
                    value,
                )
            )
            if point_labels and (len(points) <= LABEL_EVERY_POINT_UP_TO or index in (0, len(points) - 1)):
                anchor = "start" if x <= PLOT_LEFT else "end" if x >= PLOT_RIGHT else "middle"
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="11" text-anchor="{}">{}</text>',
                        _n(x),
                        _n(y - 7),
                        anchor,
                        value,
                    )
                )
        parts.append(mark_safe("</g>"))
    axis_y = HEADER + STRIP * len(areas) + 14
    if count == 1:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                _n(_x(0, 1)),
                axis_y,
                short_date(readings[0].taken_on),
            )
        )
    else:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11">{}</text><text x="{}" y="{}" font-size="11" '
                'text-anchor="end">{}</text>',
                PLOT_LEFT,
                axis_y,
                short_date(readings[0].taken_on),
                PLOT_RIGHT,
                axis_y,
                short_date(readings[-1].taken_on),
            )
        )
    parts.append(mark_safe("</svg>"))
    return _joined(parts)


def series_table(series: Series) -> SafeString:
    """The same figures as a GOV.UK table: an area a row, a reading a column, then the distance
    travelled from the first reading to the latest (positive is better)."""
    head = format_html_join(
        "",
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">{}</th>',
        ((short_date(reading.taken_on),) for reading in series.readings),
    )
    rows = []
    for distance in series.distance_travelled():
        cells = format_html_join(
            "",
            '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>',
            (("" if value is None else value,) for value in series.values(distance.area)),
        )
        rows.append(
            format_html(
                '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>{}'
                '<td class="govuk-table__cell">{}</td></tr>',
                distance.area.name,
                cells,
                distance.words,
            )
        )
    return format_html(
        '<table class="govuk-table app-outcome-table"><caption class="govuk-table__caption govuk-table__caption--s">'
        "{}: scores by reading ({})</caption>"
        '<thead class="govuk-table__head"><tr class="govuk-table__row">'
        '<th scope="col" class="govuk-table__header">Area</th>{}'
        '<th scope="col" class="govuk-table__header">Distance travelled</th></tr></thead>'
        '<tbody class="govuk-table__body">{}</tbody></table>',
        series.title,
        series.tool.scale_words,
        head,
        _joined(rows),
    )
