from django.db import connection

from bench.measure import TRANSACTION_CONTROL, Statement, measure_page, page_statements, percentile, replay_sql
from tests.conftest import open_case


def record_into(sent: list):
    """An execute wrapper that notes each statement's text and parameters, transaction control aside."""

    def record(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
            sent.append((sql, params))
        return execute(sql, params, many, context)

    return record


def test_percentile_picks_from_the_ordered_values():
    values = [float(v) for v in range(1, 101)]

    assert percentile(values, 0.5) in (50.0, 51.0)
    assert percentile(values, 0.95) == 95.0
    assert percentile([7.0], 0.95) == 7.0


def test_a_page_is_measured_with_its_queries_and_its_own_sql(world, client_for):
    case = open_case(world)

    result = measure_page(client_for(world.lead), "case", f"/cases/{case.pk}/", requests=3, warmup=1)

    assert result.status == 200
    assert result.queries == len(result.statements) > 0
    assert result.sql_ms > 0
    assert result.p95_ms >= result.p50_ms > 0
    assert result.sql_ratio == result.p50_ms / result.sql_ms


def test_a_pages_statements_are_captured_as_it_sent_them_with_placeholders_and_parameters(world, client_for):
    case = open_case(world)
    client = client_for(world.lead)
    url = f"/cases/{case.pk}/"
    client.get(url)
    sent = []

    with connection.execute_wrapper(record_into(sent)):
        status, statements = page_statements(client, url)

    assert status == 200
    assert [s.sql for s in statements] == [sql for sql, _ in sent]
    assert [s.params for s in statements] == [params for _, params in sent]
    # The case's id travels as a parameter, not as a literal in the text.
    assert any(case.pk in (s.params or ()) for s in statements)
    assert all("%s" in s.sql for s in statements if s.params)


def test_the_floor_replays_the_pages_statements_with_their_parameters(world, client_for):
    case = open_case(world)
    result = measure_page(client_for(world.lead), "case", f"/cases/{case.pk}/", requests=1, warmup=1)
    replayed = []

    with connection.execute_wrapper(record_into(replayed)):
        replay_sql(result.statements, repeats=2, warmup=1)

    page = [(s.sql, s.params) for s in result.statements]
    assert replayed == page * 3


def test_replayed_statements_are_prepared_by_the_time_they_are_timed(db):
    statement = Statement(sql="SELECT /* bench-replay */ count(*) FROM cases_locality WHERE id > %s", params=[0])
    look_up = Statement(sql="SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", params=["%replay%"])
    seen = []

    def note_prepared(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql == look_up.sql:
            seen.append(context["cursor"].fetchall())
        return result

    with connection.execute_wrapper(note_prepared):
        replay_sql([statement, look_up], repeats=3)

    assert seen[-3:] == [[("SELECT /* bench-replay */ count(*) FROM cases_locality WHERE id > $1",)]] * 3


def test_a_trivial_page_takes_at_least_as_long_as_its_own_statements_once_warm(world, client_for):
    result = measure_page(client_for(world.lead), "home", "/", requests=20, warmup=10)

    assert result.status == 200
    assert result.sql_ratio >= 1
