"""The access log refuses UPDATE, DELETE and TRUNCATE, whoever asks and whatever they set.

It was protected by a pgtrigger trigger, which any session switches off with
`SET pgtrigger.ignore = '{...}'`, and which did not cover TRUNCATE. These are plain triggers: only
the table's owner can drop or disable them (the application's role owns nothing), and only a
superuser can set session_replication_role, under which no ordinary trigger fires (Django's flush,
which tests use, does so: see earlyhelp/db/base.py)."""

import pgtrigger.migrations
from django.db import migrations

FORWARDS = """
CREATE FUNCTION cases_accesslog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'Cannot truncate the access log: it is append-only';
    END IF;
    RAISE EXCEPTION 'Cannot update or delete rows of the access log: it is append-only';
END;
$$;

CREATE TRIGGER cases_accesslog_append_only_rows
    BEFORE UPDATE OR DELETE ON cases_accesslog
    FOR EACH ROW EXECUTE FUNCTION cases_accesslog_append_only();

CREATE TRIGGER cases_accesslog_append_only_truncate
    BEFORE TRUNCATE ON cases_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION cases_accesslog_append_only();
"""

BACKWARDS = """
DROP TRIGGER cases_accesslog_append_only_truncate ON cases_accesslog;
DROP TRIGGER cases_accesslog_append_only_rows ON cases_accesslog;
DROP FUNCTION cases_accesslog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_closure_reason_opened_in_error"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name="accesslog", name="append_only"),
        migrations.RunSQL(FORWARDS, BACKWARDS),
    ]
