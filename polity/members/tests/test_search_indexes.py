"""The members search's case-insensitive prefix and number lookups have indexes on PostgreSQL
(migration members 0003); on SQLite that migration does nothing."""

from django.db import connection

EXPECTED = {"members_upper_family_prefix", "members_upper_given_prefix", "members_upper_number"}


def test_search_expressions_are_indexed_on_postgresql(db) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "members_person"))
    if connection.vendor == "postgresql":
        assert names >= EXPECTED
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'members_upper_family_prefix'")
            (definition,) = cursor.fetchone()
        assert "upper((family_name)::text) text_pattern_ops" in definition
    else:
        assert not (EXPECTED & names)
