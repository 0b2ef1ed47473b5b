"""The exports pages: the request form and its confirmation (purpose, columns, rows), my exports with their
expiry and download, approval, and the DPO's tracing page; refusals for everyone else."""

from __future__ import annotations

import csv
import io

import pytest

from polity.audit.models import Event
from polity.exports.models import Export, Incident


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    global _capture
    _capture = django_capture_on_commit_callbacks


FORM = {
    "purpose": "service",
    "channel": "",
    "columns": ["name", "membership_number", "branch"],
    "format": "csv",
    "reason": "Sign-in sheet for the AGM",
}


def test_ask_confirm_download(world, login):
    client = login("secretary")
    data = dict(FORM, audience=str(world.audience.pk))
    page = client.post("/exports/new/", data)
    text = page.content.decode()
    assert page.status_code == 200 and "Confirm the export" in text
    assert "Name, membership number, branch" in text and "Membership service messages" in text
    assert Export.objects.count() == 0
    with _capture(execute=True):
        done = client.post("/exports/new/", dict(data, confirm="yes"))
    assert done.status_code == 302
    export = Export.objects.get()
    home = client.get("/exports/").content.decode()
    assert "Ready to download" in home and f"/exports/{export.pk}/download/" in home
    assert "Download the CSV file" in home and "spreadsheet text" not in home
    assert "All of North A: in North A, made " in home
    response = client.get(f"/exports/{export.pk}/download/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + export.members + export.decoys
    assert Event.objects.filter(verb="exports.download").count() == 1
    assert login("regional").get(f"/exports/{export.pk}/download/").status_code == 404


def test_meeting_notice_audiences_are_told_apart_in_words(world, login):
    """Automated meeting notices each save an audience with the same name: the form says which body and part
    each takes, in which unit, and when it was made."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from polity.common.actor import Actor
    from polity.comms.models import Audience
    from polity.org.services import body_create

    unit = world.org.units["north_a"]
    body = body_create(actor=Actor.system("test"), unit=unit, kind="executive_committee")
    first = timezone.make_aware(datetime(2026, 3, 2, 19, 0))
    for n in range(2):
        Audience.objects.create(
            name=f"{body.name} (meeting notice)",
            unit=unit,
            body=body,
            body_part="members",
            created_by_label="system",
            created_at=first + timedelta(days=7 * n),
        )
    text = login("secretary").get("/exports/new/").content.decode()
    said = f"{body.name} (meeting notice): members of {body.name}, in {unit.name}, made"
    assert f"{said} 2 Mar 2026 19:00" in text and f"{said} 9 Mar 2026 19:00" in text


def test_a_refusal_keeps_what_was_typed(world, login):
    client = login("secretary")
    data = dict(FORM, audience=str(world.audience.pk), purpose="governance", columns=["name"])
    page = client.post("/exports/new/", data)
    text = page.content.decode()
    assert page.status_code == 400 and "go to a body" in text and "Sign-in sheet for the AGM" in text


def test_the_member_and_the_outsider_see_no_export_pages(world, login):
    assert "Exports" not in login("member").get("/").content.decode()
    assert login("member").post("/exports/new/", dict(FORM, audience=str(world.audience.pk))).status_code in (
        400,
        404,
    )
    assert login("secretary").get("/exports/attribution/").status_code == 404


def test_the_dpo_traces_a_pasted_excerpt(world, login):
    with _capture(execute=True):
        login("secretary").post("/exports/new/", dict(FORM, audience=str(world.audience.pk), confirm="yes"))
    export = Export.objects.get()
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    excerpt = "\n".join(reversed(text.splitlines()[1:]))
    page = login("dpo").post("/exports/attribution/", {"excerpt": excerpt.upper(), "open_incident": "on"})
    body = page.content.decode()
    assert page.status_code == 200 and "certain" in body
    # Made by a person, named with the office she held (never her login name).
    assert '<td data-label="Made by">Sam Secretary, Secretary of North A</td>' in body
    incident = Incident.objects.get()
    assert f"/exports/incidents/{incident.pk}/" in body
    report = login("dpo").post(f"/exports/incidents/{incident.pk}/", {"reference": "ICO/2026/1"})
    assert report.status_code == 302
    incident.refresh_from_db()
    assert incident.report_reference == "ICO/2026/1"
