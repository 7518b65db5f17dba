"""The demo data for the tests that use it, loaded through its services once per test process and
copied back for every later test.

`load_demo_data` takes 15 to 20 seconds (72 letters printed, every service run); a dozen test
modules start from it, and transactional tests (the browser's) lose it to the flush after each
test. So the first load in a process (an xdist worker) is the real command; the rows it leaves in
every table are then copied out with PostgreSQL's COPY, and each later load empties the tables and
copies them back (about a second). What the tests see is the same: the same rows, ids and
sequences, and the letters' files are still on disk. A copy taken a few minutes earlier is a few
minutes older: the demo's clocks are hours and days apart, so no test sees a deadline cross over.

`tests/cases/test_demo_data.py` runs the command itself for what it checks about loading."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

# table name -> its rows in PostgreSQL's binary COPY format, for this process.
_snapshot: dict[str, bytes] = {}


def _tables() -> list[str]:
    # Every table but Django's record of the migrations, which a flush leaves alone too.
    return [name for name in connection.introspection.table_names() if name != "django_migrations"]


def _copy_out() -> dict[str, bytes]:
    quote = connection.ops.quote_name
    rows: dict[str, bytes] = {}
    with connection.cursor() as cursor:
        for table in _tables():
            with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT BINARY)") as copy:
                rows[table] = b"".join(bytes(block) for block in copy)
    return rows


def _copy_back(rows: dict[str, bytes]) -> None:
    """Empty every table and copy the rows back, with the sequences after them. Ordinary triggers
    (the foreign keys' checks, the access log's refusal of TRUNCATE, the history's) are set aside
    while it runs, as Django's own flush does (earlyhelp/db/base.py): the rows were consistent when
    they were copied out."""
    quote = connection.ops.quote_name
    models = apps.get_models(include_auto_created=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(f"TRUNCATE {', '.join(quote(table) for table in rows)}")
            for table, data in rows.items():
                with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    # A flush and its post_migrate may have cached content types under other ids.
    ContentType.objects.clear_cache()


def load_demo() -> None:
    """The demo data in the test database, as `manage.py load_demo_data` leaves it. Inside the
    test's own transaction, or committed for a transactional test, as the caller's fixture is."""
    if _snapshot:
        _copy_back(_snapshot)
        return
    call_command("load_demo_data", verbosity=0)
    _snapshot.update(_copy_out())
