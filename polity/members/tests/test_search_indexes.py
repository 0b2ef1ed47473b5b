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


def test_a_number_without_its_letter_is_found_and_on_postgresql_through_its_index(org) -> None:  # type: ignore[no-untyped-def]
    from conftest import make_person
    from polity.members.models import Person
    from polity.members.search import parse_person_query, person_query_q

    person = make_person(org.units["north_a_1"], "Nia", "Number")
    digits = person.membership_number.lstrip("T").lstrip("0")
    for typed in (person.membership_number, f"t{digits}", digits, f"T00{digits}"):
        qs = Person.objects.filter(person_query_q(parse_person_query(typed)))
        assert list(qs) == [person], typed
    assert not Person.objects.filter(person_query_q(parse_person_query(f"X{digits}"))).exists()
    if connection.vendor == "postgresql":
        qs = Person.objects.filter(person_query_q(parse_person_query(digits))).order_by().values("pk")
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
        assert "members_number_digits" in plan, plan
