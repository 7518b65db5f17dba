"""Give the application's database role what it needs and no more: read and write every table and
sequence of the schema, but only add to and read the access log. Run by the owner (the role that
runs migrations) after `migrate`, every time: it is idempotent, and tables that later migrations
make are covered by default privileges until then.

The application's role must own nothing and be neither a superuser nor a member of the owner: an
owner can disable the access log's triggers, and a superuser passes every check."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from cases.models import AccessLog

# Rows are added, never changed or removed.
APPEND_ONLY_TABLES = [AccessLog._meta.db_table]
# The migration history is the owner's: the application only reads it.
READ_ONLY_TABLES = ["django_migrations"]


class Command(BaseCommand):
    help = (
        "Grant the application's database role SELECT, INSERT, UPDATE and DELETE on every table (INSERT "
        "and SELECT only on the access log) and the sequences, now and for tables made later. Run as the owner."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The role the web server and Celery connect as")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role: str, database: str, **options):
        connection = connections[database]
        quote = connection.ops.quote_name
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.rolsuper, r.rolname = current_user, pg_has_role(r.rolname, current_user, 'MEMBER'),"
                " (SELECT count(*) FROM pg_class c"
                "  JOIN pg_namespace n ON n.oid = c.relnamespace"
                "  WHERE c.relowner = r.oid AND n.nspname = current_schema()),"
                " current_schema()"
                " FROM pg_roles r WHERE r.rolname = %s",
                [role],
            )
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"There is no database role {role!r}: create it first (see the README).")
            superuser, is_me, member_of_owner, owned, schema = found
            if superuser:
                raise CommandError(f"{role!r} is a superuser, whom no privilege binds: use an ordinary role.")
            if is_me or member_of_owner:
                raise CommandError(
                    f"{role!r} is the owner (or a member of it): the application needs a role of its own."
                )
            if owned:
                raise CommandError(
                    f"{role!r} owns {owned} tables or sequences here: the application's role owns nothing."
                )
            app, schema = quote(role), quote(schema)
            tables = set(connection.introspection.table_names(cursor))
            statements = [
                f"GRANT USAGE ON SCHEMA {schema} TO {app}",
                f"REVOKE CREATE ON SCHEMA {schema} FROM {app}",
                # From a clean slate, so running it again leaves exactly this.
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {app}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
                # Tables and sequences this role (the owner) makes later, in migrations to come.
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
                *(
                    f"REVOKE UPDATE, DELETE, TRUNCATE ON {quote(table)} FROM {app}"
                    for table in APPEND_ONLY_TABLES
                    if table in tables
                ),
                *(
                    f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {quote(table)} FROM {app}"
                    for table in READ_ONLY_TABLES
                    if table in tables
                ),
            ]
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Granted {role} the application's privileges (the access log: insert and read only).")
