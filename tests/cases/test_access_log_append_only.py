"""The access log is append-only in the database: UPDATE, DELETE and TRUNCATE are refused by
triggers that no session setting switches off, and the application's database role (granted by
`manage.py db_grant_app_role`) may only add to it and read it, owns nothing and creates nothing."""

from __future__ import annotations

import contextlib
import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, ProgrammingError, connection, transaction

from cases.models import AccessLog, Family
from tests.factories import FamilyFactory

TABLE = AccessLog._meta.db_table
CHANGES = [
    pytest.param(f"UPDATE {TABLE} SET action = 'print'", id="update"),
    pytest.param(f"UPDATE {TABLE} SET user_id = NULL, ip_address = NULL", id="update who and where"),
    pytest.param(f"DELETE FROM {TABLE}", id="delete"),
    pytest.param(f"TRUNCATE {TABLE}", id="truncate"),
    pytest.param(f"TRUNCATE {TABLE} RESTART IDENTITY CASCADE", id="truncate cascade"),
]
# pgtrigger's escape hatch: a trigger whose name is in this list lets everything through.
IGNORE_EVERY_TRIGGER = (
    "SELECT set_config('pgtrigger.ignore', (SELECT '{' || string_agg(tgname, ',') || '}' FROM pg_trigger"
    f" WHERE tgrelid = '{TABLE}'::regclass AND NOT tgisinternal), true)"
)


def add_row() -> AccessLog:
    return AccessLog.objects.create(
        action=AccessLog.Action.VIEW, record_type="case", record_id=1, ip_address="198.51.100.23"
    )


def rows() -> list[tuple]:
    return list(AccessLog.objects.order_by("pk").values_list("pk", "action", "ip_address"))


# --- The triggers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("ignore", [False, True], ids=["", "after SET pgtrigger.ignore"])
@pytest.mark.parametrize("change", CHANGES)
def test_the_access_log_cannot_be_changed_or_emptied(db, change, ignore):
    add_row()
    before = rows()
    with connection.cursor() as cursor:
        # The new row's foreign keys are checked now, not at commit: PostgreSQL refuses any TRUNCATE
        # while checks are pending, before a trigger could.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(DatabaseError, match="Cannot (update or delete rows of|truncate) the access log"):
        with transaction.atomic(), connection.cursor() as cursor:
            if ignore:
                cursor.execute(IGNORE_EVERY_TRIGGER)
                cursor.execute("SELECT current_setting('pgtrigger.ignore')")
                assert cursor.fetchone()[0].startswith("{")
            cursor.execute(change)

    assert rows() == before


@pytest.mark.django_db(transaction=True)
def test_a_flush_still_empties_it_for_the_tests():
    # Django's flush (between transactional tests) truncates every table; it runs as the superuser
    # with triggers set aside for its own transaction (earlyhelp/db/base.py). The teardown of this
    # very test is the flush: it fails if the log refuses it.
    add_row()
    with pytest.raises(DatabaseError, match="Cannot truncate"), transaction.atomic():
        connection.cursor().execute(f"TRUNCATE {TABLE}")
    assert len(rows()) == 1


# --- The application's role --------------------------------------------------------------------------


@pytest.fixture
def app_role(db):
    """A role of this test's own (roles are shared by the whole server), made and dropped inside the
    test's transaction; the test database's user is a superuser and may become it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"eh_test_app_{worker}_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {connection.ops.quote_name(name)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {connection.ops.quote_name(name)}")
        cursor.execute(f"DROP ROLE {connection.ops.quote_name(name)}")


@contextlib.contextmanager
def as_role(role: str):
    """Statements run as `role` until the block ends (a refused one rolls its savepoint back, and the
    role with it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
        yield cursor
        cursor.execute("RESET ROLE")


def refused(role: str, statement: str) -> None:
    with pytest.raises(ProgrammingError, match="permission denied|must be owner"), as_role(role) as cursor:
        cursor.execute(statement)


def test_the_app_role_adds_to_and_reads_the_log_only(app_role):
    call_command("db_grant_app_role", app_role, stdout=io.StringIO())
    add_row()

    with as_role(app_role):
        add_row()
        assert len(rows()) == 2

    refused(app_role, f"UPDATE {TABLE} SET action = 'print'")
    refused(app_role, f"DELETE FROM {TABLE}")
    refused(app_role, f"TRUNCATE {TABLE}")
    # Nor can it set the triggers aside.
    refused(app_role, f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    refused(app_role, "SET LOCAL session_replication_role = replica")
    assert len(rows()) == 2


def test_the_app_role_writes_the_other_tables_but_makes_none(app_role):
    call_command("db_grant_app_role", app_role, stdout=io.StringIO())

    with as_role(app_role):
        family = FamilyFactory()  # history rows too (pghistory's triggers run as the role)
        Family.objects.filter(pk=family.pk).update(name="Okafor family")
        Family.objects.filter(pk=family.pk).delete()
        assert not Family.objects.filter(pk=family.pk).exists()

    refused(app_role, "CREATE TABLE eh_probe (id integer)")
    refused(app_role, f"TRUNCATE {Family._meta.db_table} CASCADE")
    refused(app_role, "INSERT INTO django_migrations (app, name, applied) VALUES ('cases', 'probe', now())")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relowner = %s::regrole", [app_role])
        assert cursor.fetchone()[0] == 0


def test_tables_made_by_later_migrations_are_granted_too(app_role):
    call_command("db_grant_app_role", app_role, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE eh_later (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)")

    with as_role(app_role) as cursor:
        cursor.execute("INSERT INTO eh_later (note) VALUES ('made after the grant')")
        cursor.execute("SELECT count(*) FROM eh_later")
        assert cursor.fetchone()[0] == 1


def test_granting_again_changes_nothing(app_role):
    def privileges():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type)"
                " FROM information_schema.role_table_grants WHERE grantee = %s GROUP BY table_name ORDER BY 1",
                [app_role],
            )
            return cursor.fetchall()

    call_command("db_grant_app_role", app_role, stdout=io.StringIO())
    first = privileges()
    call_command("db_grant_app_role", app_role, stdout=io.StringIO())

    assert privileges() == first
    assert dict(first)[TABLE] == "INSERT,SELECT"
    assert dict(first)[Family._meta.db_table] == "DELETE,INSERT,SELECT,UPDATE"


def test_the_grant_refuses_a_role_that_would_not_be_bound(db):
    with pytest.raises(CommandError, match="no database role"):
        call_command("db_grant_app_role", "eh_no_such_role")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (me,) = cursor.fetchone()
    with pytest.raises(CommandError, match="superuser|owner"):
        call_command("db_grant_app_role", me)
