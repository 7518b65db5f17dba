from bench.measure import measure_page, percentile
from tests.conftest import open_case


def test_percentile_picks_from_the_ordered_values():
    values = [float(v) for v in range(1, 101)]

    assert percentile(values, 0.5) in (50.0, 51.0)
    assert percentile(values, 0.95) == 95.0
    assert percentile([7.0], 0.95) == 7.0


def test_a_page_is_measured_with_its_queries_and_its_own_sql(world, client_for):
    case = open_case(world)

    result = measure_page(client_for(world.lead), "case", f"/cases/{case.pk}/", requests=3, warmup=1)

    assert result.status == 200
    assert result.queries > 0
    assert result.sql_ms > 0
    assert result.p95_ms >= result.p50_ms > 0
    assert result.sql_ratio == result.p50_ms / result.sql_ms
