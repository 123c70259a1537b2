"""Database helpers for the few statements that run on every vote."""

from contextlib import contextmanager


@contextmanager
def prepared_cursor(connection):
    """A Django cursor whose statements PostgreSQL parses and plans once per connection.

    Django's psycopg cursors bind values on the client: every run sends the statement as new text, and
    PostgreSQL parses and plans it again. This cursor (psycopg's own `Cursor`) binds on the server, and
    psycopg prepares a statement once it has run `prepare_threshold` times on the connection (settings:
    DATABASE_PREPARED_STATEMENTS); later runs send only the values. Only for hand-written SQL whose
    values have a clear type. It is wrapped as Django wraps its own cursors, so query logging, execute
    wrappers and error translation still apply. Other databases get an ordinary cursor."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    # What connection.cursor() does first.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = psycopg.Cursor(connection.connection)
    wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with wrapped as cursor:
        yield cursor
