"""The OpenAPI document is valid JSON for every reader: no object repeats a key (a response documented
under both 200 and "200" made Swagger UI refuse the whole document)."""

import json

from django.test import Client


def test_no_object_of_the_openapi_document_repeats_a_key(db) -> None:  # type: ignore[no-untyped-def]
    repeated: list[list[str]] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in items]
        if len(keys) != len(set(keys)):
            repeated.append(keys)
        return dict(items)

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    json.loads(response.content, object_pairs_hook=pairs)
    assert repeated == []
