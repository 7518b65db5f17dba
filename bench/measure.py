"""Measuring a page: server time over many requests, queries per request, and how close the page
comes to the cost of its own SQL: the statements it sent, with the parameters it sent, replayed on
the same connection the same way (bound on the server and prepared, once warm)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test import Client

# Transaction control (BEGIN, COMMIT, savepoints) is not a question the page asks.
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")
# PostgreSQL tries a prepared statement's first few runs with plans made for their values before it
# settles on a plan (server-side plan caching); runs beyond those see the page's steady state.
CUSTOM_PLAN_TRIES = 5


@dataclass(frozen=True)
class Statement:
    """One statement as the page sent it: its text with placeholders and its parameters."""

    sql: str
    params: object  # a sequence, a mapping or None, exactly as passed to the cursor
    many: bool = False


@dataclass
class PageResult:
    name: str
    url: str
    status: int
    p50_ms: float
    p95_ms: float
    queries: int
    sql_ms: float
    sql_ratio: float
    statements: list[Statement] = field(default_factory=list, repr=False)

    def as_json(self) -> dict:
        return {
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "queries": self.queries,
            "sql_ms": round(self.sql_ms, 2),
            "sql_ratio": round(self.sql_ratio, 2),
            "status": self.status,
        }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def page_statements(client: Client, url: str) -> tuple[int, list[Statement]]:
    """The status of one request for `url` and the statements it sent, with their parameters,
    transaction control left out."""
    sent: list[Statement] = []

    def record(execute, sql, params, many, context):
        if many:
            params = list(params)  # executemany may be handed a generator, which runs once
        sent.append(Statement(sql=sql, params=params, many=many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    return response.status_code, [s for s in sent if not s.sql.lstrip().upper().startswith(TRANSACTION_CONTROL)]


def warm_runs() -> int:
    """Untimed runs after which a statement is prepared and its plan settled: psycopg prepares a
    statement once the connection has run it `prepare_threshold` times, and PostgreSQL then tries a
    few plans for the values given before it settles."""
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold or 0  # None: never prepared
    return threshold + CUSTOM_PLAN_TRIES + 1


def replay_sql(statements: list[Statement], *, repeats: int = 20, warmup: int | None = None) -> float:
    """Median milliseconds to run `statements` on this thread's connection (the one the page used,
    with its binding and prepared statements), each with its own parameters. The first `warmup`
    runs, by default enough for the statements to be prepared, are not timed.

    Every run happens in one transaction, rolled back once at the end (the page's writes, such as
    its access-log row, are part of its cost but must not pile up in the database). A rollback after
    each run would make psycopg forget every statement it has prepared, as it does at any rollback,
    and each run would then be planned anew, which the page's statements are not."""
    warmup = warm_runs() if warmup is None else warmup
    timings = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            for run in range(warmup + repeats):
                started = time.perf_counter()
                for statement in statements:
                    if statement.many:
                        cursor.executemany(statement.sql, statement.params)
                    else:
                        cursor.execute(statement.sql, statement.params)
                    if cursor.description:
                        cursor.fetchall()
                if run >= warmup:
                    timings.append((time.perf_counter() - started) * 1000)
        transaction.set_rollback(True)
    return statistics.median(timings)


def measure_page(client: Client, name: str, url: str, requests: int = 50, warmup: int | None = None) -> PageResult:
    """The page's server time over `requests` requests, once warm: by default after as many untimed
    requests as its statements need to be prepared and settled, as on a connection kept open in
    production, and as its floor is measured."""
    warmup = warm_runs() if warmup is None else warmup
    for _ in range(warmup):
        client.get(url)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    status, statements = page_statements(client, url)
    sql_ms = replay_sql(statements)
    p50 = statistics.median(timings)
    return PageResult(
        name=name,
        url=url,
        status=status,
        p50_ms=p50,
        p95_ms=percentile(timings, 0.95),
        queries=len(statements),
        sql_ms=sql_ms,
        sql_ratio=p50 / max(sql_ms, 0.01),
        statements=statements,
    )


def explain(sql: str, params: list | tuple = ()) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
