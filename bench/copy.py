"""Bulk loading with PostgreSQL COPY: rows as dicts of column values, ids given up front so that
related rows can point at each other before anything is written."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable

from django.db import connection
from django.db.models import Model


class IdAllocator:
    """Hands out primary keys above the table's current maximum; `finish` moves the sequence on."""

    def __init__(self, model: type[Model]):
        self.model = model
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (a model's own table)
            (self.next,) = cursor.fetchone()
        self.next += 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value

    def finish(self) -> None:
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, max(self.next - 1, 1)])


def _value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return "\\x" + bytes(value).hex()
    return str(value)


def copy_rows(model: type[Model], rows: Iterable[dict], chunk: int = 200_000) -> int:
    """COPY `rows` into `model`'s table. Each row names columns by attname (`family_id`); missing
    columns get the field's default. Returns how many rows were written."""
    fields = [f for f in model._meta.concrete_fields]
    columns = [f.column for f in fields]
    defaults = {}
    for f in fields:
        if f.has_default():
            default = f.get_default()
            defaults[f.attname] = default
        elif f.null:
            defaults[f.attname] = None
        elif f.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField", "FileField"):
            defaults[f.attname] = ""
    written = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush():
        with connection.cursor() as cursor:
            sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with cursor.copy(sql) as copy:
                copy.write(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()

    pending = 0
    for row in rows:
        writer.writerow([_value(row[f.attname] if f.attname in row else defaults.get(f.attname)) for f in fields])
        pending += 1
        if pending >= chunk:
            flush()
            written += pending
            pending = 0
    if pending:
        flush()
        written += pending
    return written
