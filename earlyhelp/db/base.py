"""Django's PostgreSQL backend with parameters bound on the server, so that psycopg prepares the
statements a connection runs again and again and PostgreSQL stops planning them anew: for the
access rules' queries, planning costs more than running.

django-pghistory puts its context in front of a write as a second statement in the same string,
which a prepared (extended-protocol) statement cannot carry; the cursor here runs it first, in the
same transaction."""

from __future__ import annotations

from django.db.backends.postgresql import base

PGHISTORY_PREFIX = "SELECT set_config('pghistory.context_id', "


class ServerBindingCursor(base.ServerBindingCursor):
    def execute(self, query, params=None, **kwargs):
        if isinstance(query, bytes):
            query = query.decode()
        if not (isinstance(query, str) and query.startswith(PGHISTORY_PREFIX)):
            return super().execute(query, params, **kwargs)
        context_sql, _, query = query.partition("; ")
        if isinstance(params, dict):
            context_params = params
        else:
            context_params, params = params[:2], params[2:]
        if self.connection.autocommit:
            # Outside a transaction, set_config(..., true) would end with its own statement.
            with self.connection.transaction():
                super().execute(context_sql, context_params)
                return super().execute(query, params, **kwargs)
        super().execute(context_sql, context_params)
        return super().execute(query, params, **kwargs)


class DatabaseOperations(base.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        # The access log refuses TRUNCATE by a trigger (cases migration 0010). Django's flush, which
        # the tests run between transactional tests, sets ordinary triggers aside for its own
        # transaction; only a superuser may, so a flush by anyone else fails rather than empty it.
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else statements


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = ServerBindingCursor
        return params
