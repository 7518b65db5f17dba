"""Measuring a page: server time over many requests, queries per request, and how close the page
comes to the cost of its own SQL run directly on a raw cursor."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext


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

    def as_json(self) -> dict:
        return {
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "queries": self.queries,
            "sql_ratio": round(self.sql_ratio, 2),
            "status": self.status,
        }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def replay_sql(statements: list[str], repeats: int = 20) -> float:
    """Median milliseconds to run `statements` on a raw cursor, rolled back each time (the page's
    writes, such as its access-log row, are part of its cost but must not pile up)."""
    timings = []
    for _ in range(repeats):
        with transaction.atomic():
            with connection.cursor() as cursor:
                started = time.perf_counter()
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()
                timings.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    return statistics.median(timings)


def measure_page(client: Client, name: str, url: str, requests: int = 50, warmup: int = 5) -> PageResult:
    for _ in range(warmup):
        client.get(url)
    timings = []
    status = 0
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    control = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(control)]
    sql_ms = replay_sql(statements)
    p50 = statistics.median(timings)
    return PageResult(
        name=name,
        url=url,
        status=status,
        p50_ms=p50,
        p95_ms=percentile(timings, 0.95),
        queries=len(statements),  # transaction control (BEGIN, COMMIT, savepoints) is not a question
        sql_ms=sql_ms,
        sql_ratio=p50 / max(sql_ms, 0.01),
    )


def explain(sql: str, params: list | tuple = ()) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
