"""The planner's cost of a random page read, set on the database rather than sent by each connection.

Solid-state storage reads a random page for little more than a sequential one; with PostgreSQL's
default (4) the planner prefers scanning every person to the trigram indexes of a name search. The
setting was sent as a startup option (`options=-c random_page_cost=...`), which a connection pooler
such as PgBouncer refuses. Set on the database, every new session gets it, through a pooler or not.
It needs the database's owner (or a superuser), as migrations are run."""

from django.db import migrations

FORWARDS = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
END
$$;
"""

BACKWARDS = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I RESET random_page_cost', current_database());
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_access_log_append_only"),
    ]

    operations = [
        migrations.RunSQL(FORWARDS, BACKWARDS),
    ]
