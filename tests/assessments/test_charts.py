"""Distance travelled (better is positive whichever way a tool counts), the series a case's
readings make, and the chart and table drawn from them."""

import io
import re

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from assessments.charts import series_chart, series_table
from assessments.selectors import case_series, distance_travelled
from tests.assessments.conftest import child_of, days_ago, record, tool

STAR_FIRST = [3, 4, 2, 5, 6, 4, 3, 2, 5, 1]
STAR_LATEST = [7, 4, 5, 5, 6, 3, 8, 9, 5, 2]


def test_distance_travelled_on_a_tool_that_counts_up(db):
    star = tool("family-star-plus")
    area = star.areas.first()

    assert distance_travelled(star, area, [3, 5, 7]).change == 4
    assert distance_travelled(star, area, [7, 5, 6]).change == -1
    assert distance_travelled(star, area, [4, None, 4]).words == "No change"
    assert distance_travelled(star, area, [4]).change is None


def test_distance_travelled_on_a_tool_where_lower_is_better(db):
    gcp2 = tool("graded-care-profile-2")
    area = gcp2.areas.first()

    better = distance_travelled(gcp2, area, [4, 3, 2])
    worse = distance_travelled(gcp2, area, [2, 5, 4])

    assert (better.first, better.latest, better.change, better.words) == (4, 2, 2, "2 better")
    assert (worse.first, worse.latest, worse.change, worse.words) == (2, 4, -2, "2 worse")


@pytest.fixture
def readings(world, case):
    """Two Family Star readings, two Graded Care Profile 2 readings, one My Star reading of the child."""
    record(case, "family-star-plus", STAR_FIRST, taken_on=days_ago(90))
    record(case, "family-star-plus", STAR_LATEST, taken_on=days_ago(5))
    record(case, "graded-care-profile-2", [4, 4, 3, 5], taken_on=days_ago(60))
    record(case, "graded-care-profile-2", [2, 4, 3, 3], taken_on=days_ago(2))
    record(case, "my-star", [1, 2, 3, 4, 5, 4, 3, 2], taken_on=days_ago(30))
    return case


def test_a_cases_readings_make_one_series_per_tool_and_child_oldest_first(readings, django_assert_num_queries):
    with django_assert_num_queries(1):
        series = case_series(case=readings)

    assert [s.title for s in series] == [
        "Family Star Plus",
        f"My Star: {child_of(readings).full_name}",
        "Graded Care Profile 2",
    ]
    star = series[0]
    assert [r.taken_on for r in star.readings] == [days_ago(90), days_ago(5)]
    assert [d.change for d in star.distance_travelled()] == [4, 0, 3, 0, 0, -1, 5, 7, 0, 1]
    assert [d.change for d in series[2].distance_travelled()] == [2, 0, 0, 2]


def test_the_chart_is_an_image_named_and_described_with_every_area_and_point(readings):
    star = case_series(case=readings)[0]

    svg = str(series_chart(star))

    assert svg.startswith("<svg ")
    assert 'role="img"' in svg
    assert 'aria-labelledby="outcome-chart-family-star-plus-title outcome-chart-family-star-plus-desc"' in svg
    assert '<title id="outcome-chart-family-star-plus-title">Family Star Plus: scores by area over time</title>' in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert desc.startswith("2 readings, from ")
    assert "Physical health: 3 then 7 (4 better)." in desc
    assert "Boundaries and behaviour: 3 then 8 (5 better)." in desc
    assert re.findall(r'data-area="([^"]+)"', svg) == [a.code for a in tool("family-star-plus").areas.all()]
    assert len(re.findall(r"<circle ", svg)) == 20
    assert svg.count("<polyline ") == 10
    assert re.findall(r'data-value="(\d+)"', svg)[:2] == ["3", "7"]
    # Nothing outside the SVG is needed to draw it: no stylesheet classes, no script.
    assert "class=" not in svg
    assert "<script" not in svg


def test_a_printed_chart_beside_its_table_leaves_the_numbers_to_the_table(readings):
    star = case_series(case=readings)[0]
    labelled, plain = str(series_chart(star)), str(series_chart(star, point_labels=False))

    def point_numbers(svg: str) -> list[str]:
        return re.findall(r'data-value="\d+"/><text [^>]*>(\d+)</text>', svg)

    assert len(point_numbers(labelled)) == 20
    assert point_numbers(plain) == []
    # The points, the lines, the scale and the description are the same.
    assert len(re.findall(r"<circle ", plain)) == 20 and plain.count("<polyline ") == 10
    assert re.search(r"<desc[^>]*>(.*?)</desc>", plain).group(1) == re.search(
        r"<desc[^>]*>(.*?)</desc>", labelled
    ).group(1)


def _point_heights(svg: str, area_code: str) -> list[float]:
    strip = re.search(rf'<g data-area="{area_code}">(.*?)</g>', svg).group(1)
    return [float(y) for y in re.findall(r'<circle cx="[^"]+" cy="([^"]+)"', strip)]


def test_better_is_drawn_higher_whichever_way_the_tool_counts(readings):
    by_title = {s.tool.code: s for s in case_series(case=readings)}

    star = str(series_chart(by_title["family-star-plus"]))
    gcp2 = str(series_chart(by_title["graded-care-profile-2"]))

    first, latest = _point_heights(star, "physical-health")  # 3 then 7: better
    assert latest < first
    first, latest = _point_heights(gcp2, "physical-care")  # 4 then 2: better
    assert latest < first
    assert "Up is better. Scale 1 to 5 (1 is best)." in gcp2


def test_area_names_are_escaped(world, case):
    star = tool("family-star-plus")
    area = star.areas.first()
    area.name = "Health <b>& care</b>"
    area.save()
    record(case, "family-star-plus", STAR_FIRST)

    series = case_series(case=case)[0]

    assert "Health &lt;b&gt;&amp; care&lt;/b&gt;" in str(series_chart(series))
    assert "<b>" not in str(series_table(series))


def test_the_table_holds_the_same_figures_with_the_distance_travelled(readings):
    gcp2 = case_series(case=readings)[2]

    table = str(series_table(gcp2))

    assert "<caption" in table
    assert "Graded Care Profile 2: scores by reading (1 to 5, 1 is best)" in table
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)
    assert headers[0] == "Area"
    assert headers[-1] == "Distance travelled"
    assert len(headers) == 4
    rows = re.findall(r'<tr class="govuk-table__row"><th scope="row"[^>]*>([^<]*)</th>(.*?)</tr>', table)
    assert [name for name, _cells in rows] == [area.name for area in tool("graded-care-profile-2").areas.all()]
    first_row = re.findall(r"<td[^>]*>([^<]*)</td>", rows[0][1])
    assert first_row == ["4", "2", "2 better"]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", rows[3][1]) == ["5", "3", "2 better"]


def test_one_reading_draws_points_without_lines_and_says_it_is_not_yet_measured_twice(readings):
    my_star = case_series(case=readings)[1]

    svg, table = str(series_chart(my_star)), str(series_table(my_star))

    assert svg.count("<circle ") == 8
    assert "<polyline " not in svg
    assert "1 reading, on " in svg
    assert table.count("Not yet measured twice") == 8


def test_the_chart_and_table_print_in_a_pdf(readings):
    gcp2 = case_series(case=readings)[2]
    html = f"<html><body><h1>Readings</h1>{series_chart(gcp2)}{series_table(gcp2)}</body></html>"

    pdf = HTML(string=html).write_pdf()

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # The chart's own text (drawn by WeasyPrint from the SVG) and the table's.
    assert "Up is better. Scale 1 to 5 (1 is best)." in text
    assert text.count("Developmental care") == 2
    assert "2 better" in text


def drawn_size(html: str) -> tuple[float, float]:
    """The width and height WeasyPrint gives the first SVG of `html` on an A4 page."""

    def find(box):
        if type(box).__name__ == "InlineReplacedBox":
            return box
        for child in getattr(box, "children", []) or []:
            if (found := find(child)) is not None:
                return found
        return None

    page = HTML(string=f"<html><style>svg {{ max-width: 100%; }}</style><body>{html}</body></html>").render().pages[0]
    box = find(page._page_box)  # noqa: SLF001 (the laid-out boxes: how big the chart is drawn)
    return box.width, box.height


def test_the_chart_and_the_genogram_keep_their_size_in_a_pdf(world, readings):
    from cases.network_genogram import genogram_for_case

    readings.details_visible = True
    genogram = str(genogram_for_case(readings, user=world.lead).svg)
    chart = str(series_chart(case_series(case=readings)[0]))
    for svg in (chart, genogram):
        width, height = (float(v) for v in re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())
        # Drawn as big as it was made (a style of height:auto once squeezed the chart to a square).
        assert drawn_size(svg) == pytest.approx((width, height))
