"""Every error under /api/v1 answers JSON `{"detail": ...}`, whoever produced it, and the schema says so."""

from __future__ import annotations

import json

import pytest
from django.core.handlers.exception import convert_exception_to_response
from django.test import RequestFactory

from polity.api.errors import NOT_FOUND, UNAUTHORISED
from polity.api.middleware import ApiErrorsAsJsonMiddleware


def is_json_error(response) -> bool:  # type: ignore[no-untyped-def]
    body = json.loads(response.content)
    return response["Content-Type"].startswith("application/json") and isinstance(body.get("detail"), str)


@pytest.mark.parametrize(
    "path",
    [
        "/audiences/abc",  # a non-numeric id where the route wants a number
        "/messages/1.5/send",
        "/cases/x",
        "/members/abc",
        "/no-such-thing",
        "/",
    ],
)
def test_a_path_no_route_takes_is_the_json_not_found(org, api, path):
    response = api("national", path)
    assert response.status_code in {404, 422}, response.content
    assert is_json_error(response)
    if response.status_code == 404:
        assert response.json() == NOT_FOUND  # exactly as a record one may not see


def test_a_malformed_id_answers_like_a_missing_one(org, api):
    assert api("national", "/audiences/abc").json() == api("national", "/audiences/999999").json()


def test_a_method_the_operation_does_not_take_is_405_json_with_allow(client, org, tokens):
    response = client.delete("/api/v1/members", headers={"Authorization": f"Bearer {tokens['national']}"})
    assert response.status_code == 405
    assert is_json_error(response)
    assert "GET" in response["Allow"] and "GET" in response.json()["detail"]


def test_a_body_that_is_not_json_is_400_json(client, org, tokens):
    response = client.post(
        "/api/v1/audiences",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['national']}"},
    )
    assert response.status_code == 400
    assert is_json_error(response)


def test_a_body_too_large_is_refused_with_413_before_it_is_read(client, org, tokens, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "x" * 2000, "unit": org.units["national"].pk})
    response = client.post(
        "/api/v1/audiences",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['national']}"},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: at most 1000 bytes."}


def test_a_body_too_large_found_while_reading_is_413(settings):
    """Django raises RequestDataTooBig when an operation reads a body past the limit (e.g. the fields of a
    multipart request, which the middleware's check on the declared length leaves to Django)."""
    from django.core.exceptions import RequestDataTooBig

    from polity.api.urls import api

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.on_exception(RequestFactory().post("/api/v1/audiences"), RequestDataTooBig("big"))
    assert response.status_code == 413
    assert json.loads(response.content) == {"detail": "Request body too large: at most 1000 bytes."}


def test_an_unhandled_exception_is_a_500_json(rf):
    def crash(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    middleware = ApiErrorsAsJsonMiddleware(convert_exception_to_response(crash))
    response = middleware(rf.get("/api/v1/members"))
    assert response.status_code == 500
    assert is_json_error(response)
    assert "boom" not in response.content.decode()  # nothing of the exception leaks


def test_pages_outside_the_api_keep_their_html(client, org):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_request_for_a_host_not_allowed_is_400_json(client, org, settings):
    settings.ALLOWED_HOSTS = ["polity.example.org"]
    response = client.get("/api/v1/me", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert is_json_error(response)


def test_validation_errors_name_the_field_in_a_string_detail(org, api):
    response = api("national", "/members", page=0)
    assert response.status_code == 422
    assert response.json() == {"detail": "page: Input should be greater than or equal to 1"}
    response = api("national", "/members", unit="north")
    assert response.json()["detail"].startswith("unit: ")


def test_a_field_missing_from_a_body_is_named(client, org, tokens):
    response = client.post(
        "/api/v1/audiences",
        json.dumps({"unit": org.units["national"].pk}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['national']}"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "name: Field required"


def test_the_schema_documents_400_401_404_and_422(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["Error"]["properties"]["detail"]["type"] == "string"
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "401" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    body = response["content"]["application/json"]["schema"]
                    ref = body.get("$ref", "")
                    detail = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]["detail"]
                    assert detail["type"] == "string", (method, path, code)


def test_401_is_unchanged(client, org):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json() == UNAUTHORISED
