"""random_page_cost is a setting of the database (migration cases 0011), not a startup option of
each connection: a connection pooler such as PgBouncer refuses startup options."""

from django.db import connection


def test_a_new_connection_gets_random_page_cost_from_the_database(db):
    params = connection.get_connection_params()
    new = connection.get_new_connection(params)
    try:
        with new.cursor() as cursor:
            cursor.execute("SELECT setting, source FROM pg_settings WHERE name = 'random_page_cost'")
            setting, source = cursor.fetchone()
    finally:
        new.close()

    assert (setting, source) == ("1.1", "database")


def test_connections_send_no_startup_options():
    assert "options" not in connection.get_connection_params()
