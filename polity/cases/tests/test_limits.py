"""One evidence limit (POLITY_EVIDENCE_MAX_BYTES), the same on the web form and the API's multipart upload,
enforced from Content-Length before the body is read; JSON bodies stay small and say where large files go."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from polity.cases.limits import FORM_ALLOWANCE
from polity.cases.models import Evidence
from polity.cases.tests import flows

LIMIT = 1000


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        raise AssertionError("the body of an over-limit upload was read")

    readline = read


@pytest.fixture
def small_limit(settings):
    settings.POLITY_EVIDENCE_MAX_BYTES = LIMIT


def _api_headers(call, who):
    r = call(who, "get", "/cases/stats")  # makes the persona's token
    assert r.status_code == 200
    return r.request["HTTP_AUTHORIZATION"]


def _over_limit(client, url, **extra):
    body = UnreadableBody()
    response = client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **{"wsgi.input": body},
        **extra,
    )
    return response, body


def test_web_refuses_a_200_mb_upload_without_reading_it(cases, login):
    case = flows.to_investigation(cases)
    c = login("member")
    for url in (reverse("cases:act", args=[case.pk, "supply_evidence"]), reverse("cases:new")):
        r, body = _over_limit(c, url)
        assert r.status_code == 413 and body.reads == 0
        assert b"evidence files are at most 25 MB" in r.content
    assert not Evidence.objects.exclude(case=case).exists()


def test_api_refuses_a_200_mb_upload_without_reading_it(cases, call, client):
    case = flows.to_investigation(cases)
    auth = _api_headers(call, "member")
    r, body = _over_limit(client, f"/api/v1/cases/{case.pk}/evidence", HTTP_AUTHORIZATION=auth)
    assert r.status_code == 413 and body.reads == 0
    assert r.json()["detail"] == "file: evidence files are at most 25 MB"


def test_api_json_over_the_request_limit_is_refused_early_and_names_the_multipart_upload(cases, call, client):
    case = flows.complaint(cases)
    auth = _api_headers(call, "member")
    body = UnreadableBody()
    r = client.generic(
        "POST",
        f"/api/v1/cases/{case.pk}/actions/supply_evidence",
        b"",
        content_type="application/json",
        CONTENT_LENGTH=str(30 * 1024 * 1024),
        HTTP_AUTHORIZATION=auth,
        **{"wsgi.input": body},
    )
    assert r.status_code == 413 and body.reads == 0
    assert "multipart/form-data" in r.json()["detail"] and "/evidence" in r.json()["detail"]


def test_the_same_limit_on_the_web_form_and_the_api(cases, call, client, login, small_limit):
    case = flows.complaint(cases)
    auth = _api_headers(call, "member")
    api_url = f"/api/v1/cases/{case.pk}/evidence"
    web_url = reverse("cases:act", args=[case.pk, "supply_evidence"])
    # Over the limit by one byte, but within the form's allowance: the evidence service refuses it, by name.
    over = b"x" * (LIMIT + 1)
    r = client.post(
        api_url,
        {"description": "Too big", "file": SimpleUploadedFile("a.txt", over)},
        HTTP_AUTHORIZATION=auth,
    )
    assert r.status_code == 422 and r.json()["detail"].startswith(
        "file: evidence files are at most 1000 bytes"
    )
    data = {"description": "Too big", "name": "a.txt", "content_base64": base64.b64encode(over).decode()}
    r = call("member", "post", f"/cases/{case.pk}/actions/supply_evidence", data)
    assert r.status_code == 422 and "at most 1000 bytes" in r.json()["detail"]
    w = login("member").post(web_url, {"description": "Too big", "file": SimpleUploadedFile("a.txt", over)})
    assert w.status_code == 400 and b"at most 1000 bytes" in w.content
    # Exactly at the limit: taken, on both.
    exact = b"y" * LIMIT
    r = client.post(
        api_url, {"description": "Fits", "file": SimpleUploadedFile("b.txt", exact)}, HTTP_AUTHORIZATION=auth
    )
    assert r.status_code == 200, r.content
    w = login("member").post(web_url, {"description": "Fits too", "file": SimpleUploadedFile("c.txt", exact)})
    assert w.status_code == 302
    assert sorted(case.evidence.values_list("size", flat=True)) == [LIMIT, LIMIT]
    # Past the limit and the allowance: refused from the header, on both.
    body_size = str(LIMIT + FORM_ALLOWANCE + 1)
    for url, extra in ((api_url, {"HTTP_AUTHORIZATION": auth}), (web_url, {})):
        r = client.generic(
            "POST",
            url,
            b"",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=body_size,
            **extra,
        )
        assert r.status_code == 413


def test_multipart_upload_by_the_team_and_by_a_party(cases, client, call):
    case = flows.to_investigation(cases)
    url = f"/api/v1/cases/{case.pk}/evidence"
    for who, supplied in (("handler", False), ("member", True)):
        auth = _api_headers(call, who)
        r = client.post(
            url,
            {"description": f"From {who}", "file": SimpleUploadedFile(f"{who}.txt", b"content")},
            HTTP_AUTHORIZATION=auth,
        )
        assert r.status_code == 200, r.content
        assert (Evidence.objects.get(description=f"From {who}").supplied_by_id is not None) == supplied
    r = client.post(url, {"description": "No file"}, HTTP_AUTHORIZATION=_api_headers(call, "member"))
    assert r.status_code == 422 and r.json()["detail"].startswith("file:")
    r = client.post(
        url,
        {"description": "x", "file": SimpleUploadedFile("o.txt", b"x")},
        HTTP_AUTHORIZATION=_api_headers(call, "outsider"),
    )
    assert r.status_code == 404


def test_evidence_goes_through_the_configured_storage_not_the_filesystem(cases, call, client, settings):
    """Whatever STORAGES["default"] is (a shared folder, S3): here an in-memory store, with no MEDIA_ROOT."""
    from django.core.files.storage import default_storage

    from polity.cases import files

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.MEDIA_ROOT = "/nonexistent/polity-media"
    case = flows.complaint(cases)
    auth = _api_headers(call, "member")
    r = client.post(
        f"/api/v1/cases/{case.pk}/evidence",
        {"description": "In memory", "file": SimpleUploadedFile("m.txt", b"kept in memory")},
        HTTP_AUTHORIZATION=auth,
    )
    assert r.status_code == 200, r.content
    evidence = Evidence.objects.get(description="In memory")
    assert default_storage.exists(evidence.file.name)
    r = call("member", "get", f"/cases/evidence/{evidence.pk}")
    assert b"".join(r.streaming_content) == b"kept in memory"
    # A file does not outlive its rolled-back row, in this storage too.
    from django.db import transaction

    from polity.cases import services as s
    from polity.cases.tests.conftest import evidence_file

    before = sorted(name for name, _at in files.stored(default_storage))
    with pytest.raises(RuntimeError), transaction.atomic():
        s.case_supply_evidence(
            actor=cases.actor("member"), case=case, upload=evidence_file(), description="Undone"
        )
        assert len(list(files.stored(default_storage))) == len(before) + 1
        raise RuntimeError("the caller's block rolls back")
    assert sorted(name for name, _at in files.stored(default_storage)) == before


def test_openapi_documents_the_multipart_upload_and_every_action_parameter(client):
    from polity.cases.params import PARAMS

    spec = client.get("/api/v1/openapi.json").json()
    upload = spec["paths"]["/api/v1/cases/{case_id}/evidence"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "413" in upload["responses"]
    act = spec["paths"]["/api/v1/cases/{case_id}/actions/{action}"]["post"]
    documented = set(act["requestBody"]["content"]["application/json"]["schema"]["properties"])
    wanted = {p.name for params in PARAMS.values() for p in params if p.kind != "file"}
    assert wanted <= documented, wanted - documented
