"""The dashboard's charts: one horizontal bar per row of a table, drawn on the server as SVG, shown
beside the table that is its text alternative (assessments/charts.py draws the outcome tools' charts
the same way).

Everything is inside the SVG (presentation attributes: no style attribute, no stylesheet, no script),
so the same markup serves the page, under the content security policy, and the PDF. A bar is drawn
only for a figure that may be shown: a small number ("fewer than 5") gets its words and no bar, so
the drawing never tells more than the table. Colours as the outcome tools' charts: GOV.UK blue
#1d70b8 bars, #0b0c0c text, #505a5f guide line."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .tables import Table, page_text

WIDTH = 560
LABEL_WIDTH = 230
BAR_LEFT = LABEL_WIDTH + 10
BAR_RIGHT = WIDTH - 70
ROW = 22
TOP = 6
LABEL_CHARACTERS = 36

INK = "#0b0c0c"
BAR = "#1d70b8"
GUIDE = "#505a5f"
FONT = "Arial, Helvetica, sans-serif"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def chart_description(table: Table) -> str:
    column = table.columns[table.chart]
    parts = [f"{row[0]}: {page_text(row[table.chart], column.kind)}" for row in table.shown_rows()]
    return f"{column.heading}. " + ("; ".join(parts) if parts else "No figures.") + "."


def bar_chart(table: Table) -> SafeString:
    """The SVG bar chart of `table`'s chart column: `role="img"`, named by its <title> and described
    by its <desc> (the figures in words); empty when the table has no chart or no rows."""
    if table.chart is None or not table.rows:
        return mark_safe("")
    rows = table.shown_rows()
    column = table.columns[table.chart]
    values = [row[table.chart] for row in rows]
    largest = max((value for value in values if isinstance(value, int | float)), default=0) or 1
    height = TOP + ROW * len(rows) + 6
    chart_id = f"dashboard-chart-{table.key}"
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{0}-title {0}-desc" '
            'viewBox="0 0 {1} {2}" width="{1}" height="{2}" font-family="{3}" font-size="12" fill="{4}">',
            chart_id,
            WIDTH,
            height,
            FONT,
            INK,
        ),
        format_html('<title id="{}-title">{}: {}</title>', chart_id, table.title, column.heading.lower()),
        format_html('<desc id="{}-desc">{}</desc>', chart_id, chart_description(table)),
        format_html(
            '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1"/>',
            BAR_LEFT,
            TOP,
            height - 6,
            GUIDE,
        ),
    ]
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        y = TOP + index * ROW
        parts.append(
            format_html('<text x="{}" y="{}" text-anchor="end">{}</text>', LABEL_WIDTH, y + 15, _short(str(row[0])))
        )
        end = BAR_LEFT
        if isinstance(value, int | float) and value > 0:
            length = max(1.0, (BAR_RIGHT - BAR_LEFT) * value / largest)
            end = BAR_LEFT + length
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-value="{}"/>',
                    BAR_LEFT,
                    y + 3,
                    f"{length:.1f}",
                    ROW - 6,
                    BAR,
                    value,
                )
            )
        parts.append(
            format_html('<text x="{}" y="{}">{}</text>', f"{end + 5:.1f}", y + 15, page_text(value, column.kind))
        )
    parts.append(mark_safe("</svg>"))
    return format_html_join("", "{}", ((part,) for part in parts))
