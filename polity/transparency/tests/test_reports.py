"""Frozen quarterly reports: a published quarter never changes; a correction is a new version stating the
difference and why; only statistics.publish over the unit may publish; the page, CSV and API are public."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client

from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput
from polity.transparency.models import FrozenReport, QuarterlyReport
from polity.transparency.services import report_publish
from polity.transparency.tests.test_statistics import _joins

Q = "2025Q3"


def test_publishing_freezes_the_figures(org):
    _joins(org.units["north_a_1"], 6)
    report = report_publish(actor=org.actor("national"), unit=org.units["national"], quarter=Q)
    assert report.version == 1 and report.difference == []
    _joins(org.units["north_a_1"], 3)  # records change after publication
    report.refresh_from_db()
    joined = next(s for s in report.figures["series"] if s["key"] == "members.movement")["figures"][0]
    assert joined == {"category": "Joined", "value": 6, "kind": "count", "suppressed": False}
    with pytest.raises(FrozenReport):
        report.save()
    with pytest.raises(FrozenReport):
        report.delete()


def test_a_correction_is_a_new_version_stating_the_difference(org):
    _joins(org.units["north_a_1"], 6)
    first = report_publish(actor=org.actor("national"), unit=org.units["national"], quarter=Q)
    with pytest.raises(DomainError, match="nothing to correct"):
        report_publish(actor=org.actor("national"), unit=org.units["national"], quarter=Q, note="again")
    _joins(org.units["north_a_1"], 3)
    with pytest.raises(InvalidInput, match="say why"):
        report_publish(actor=org.actor("national"), unit=org.units["national"], quarter=Q)
    second = report_publish(
        actor=org.actor("national"), unit=org.units["national"], quarter=Q, note="Late-entered joins."
    )
    assert second.version == 2 and second.note == "Late-entered joins."
    changed = {(d["series"], d["category"]): (d["was"], d["now"]) for d in second.difference}
    assert changed[("members.movement", "Joined")] == (6, 9)
    first.refresh_from_db()
    assert first.version == 1 and first.sha256 != second.sha256


def test_a_quarter_is_published_after_it_ends(org):
    with pytest.raises(DomainError, match="has not ended"):
        report_publish(actor=org.actor("national"), unit=org.units["national"], quarter="2999Q1")


@pytest.mark.parametrize("who", ["secretary", "regional", "dpo", "member"])
def test_only_statistics_publish_may_publish(org, who):
    with pytest.raises(Forbidden):
        report_publish(actor=org.actor(who), unit=org.units["north"], quarter=Q)
    assert not QuarterlyReport.objects.exists()


def test_the_publication_is_in_the_access_log(org):
    from polity.audit.models import Event

    report_publish(actor=org.actor("national"), unit=org.units["north"], quarter=Q)
    event = Event.objects.get(verb="statistics.publish")
    assert event.subjects == "" and event.details["quarter"] == Q


def test_the_page_needs_no_sign_in_and_shows_a_chart_and_a_table(org):
    _joins(org.units["north_a_1"], 6, on=date(2025, 8, 2))
    response = Client().get(f"/statistics/{org.units['north'].pk}/?quarter={Q}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Members joined, rejoined, lapsed and refused" in page
    assert '<svg class="chart"' in page and "fewer than 5" in page
    assert "Joiner" not in page and "Mina" not in page
    assert "Publish the report" not in page  # not for an anonymous visitor
    assert "Counted for the whole organisation only" in page


def test_the_publish_button_and_page_for_a_national_officer(org, login):
    client = login("national")
    page = client.get(f"/statistics/{org.units['national'].pk}/?quarter={Q}").content.decode()
    assert "Publish the report for 2025Q3" in page
    response = client.post(f"/statistics/{org.units['national'].pk}/{Q}/publish/", {"note": ""})
    report = QuarterlyReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/statistics/reports/{report.pk}/"
    _joins(org.units["north_a_1"], 6)
    response = client.post(f"/statistics/{org.units['national'].pk}/{Q}/publish/", {"note": ""})
    assert response.status_code == 400 and "say why" in response.content.decode()
    assert login("secretary").get(f"/statistics/{org.units['national'].pk}/{Q}/publish/").status_code == 404
    assert login("secretary").post(f"/statistics/{org.units['national'].pk}/{Q}/publish/").status_code == 403


def test_csv_downloads(org):
    _joins(org.units["north_a_1"], 6)
    response = Client().get(f"/statistics/{org.units['national'].pk}/{Q}.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    joined = next(
        line for line in lines if line["series"] == "members.movement" and line["category"] == "Joined"
    )
    assert joined["value"] == "6" and joined["quarter"] == Q
    report = report_publish(actor=org.actor("national"), unit=org.units["national"], quarter=Q)
    text = Client().get(f"/statistics/reports/{report.pk}.csv").content.decode()
    assert "members.movement" in text and ",1," in text  # version 1
    page = Client().get(f"/statistics/reports/{report.pk}/").content.decode()
    assert report.sha256 in page


def test_bad_quarters_and_unknown_units(org):
    assert Client().get("/statistics/?quarter=summer").status_code == 400
    assert Client().get("/statistics/999999/").status_code == 404


def test_the_api_is_public_for_reading(org):
    _joins(org.units["north_a_1"], 6)
    body = Client().get(f"/api/v1/statistics?unit={org.units['north'].pk}&quarter={Q}").json()
    assert body["quarter"] == Q and body["suppress_below"] == 5
    movement = next(s for s in body["series"] if s["key"] == "members.movement")
    assert movement["figures"][0] == {"category": "Joined", "value": 6, "kind": "count", "suppressed": False}
    keys = [s["key"] for s in Client().get("/api/v1/statistics/series").json()]
    assert "cases.acknowledgement" in keys and "audit.access_by_purpose" in keys
    assert (
        Client()
        .post("/api/v1/statistics/reports", {"quarter": Q}, content_type="application/json")
        .status_code
        == 401
    )


def test_the_api_publishes_with_a_token(org):
    from polity.accounts.tokens import token_create

    token = token_create(actor=Actor.system(), user=org.users["national"], name="t")[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = client.post("/api/v1/statistics/reports", {"quarter": Q}, content_type="application/json")
    assert response.status_code == 201 and response.json()["version"] == 1
    again = client.post(
        "/api/v1/statistics/reports", {"quarter": Q, "note": "x"}, content_type="application/json"
    )
    assert again.status_code == 409 and "nothing to correct" in again.json()["detail"]
    listed = Client().get("/api/v1/statistics/reports").json()
    assert [r["version"] for r in listed] == [1]
