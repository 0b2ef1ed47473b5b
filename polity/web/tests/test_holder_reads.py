"""Pages that name office holders and grant holders are reads of those people's data: recorded."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from polity.access.services import grant_give
from polity.audit.models import Event
from polity.common.actor import Actor


def test_a_units_office_holders_page_is_recorded_with_the_holders(org, login):
    client = login("regional")
    response = client.get(reverse("web:unit", args=[org.units["north_a"].pk]))
    assert response.status_code == 200 and b"Secretary" in response.content
    event = Event.objects.filter(verb="offices.view").latest("seq")
    assert event.subject_ids == [org.people["secretary"].pk]
    assert event.object_id == str(org.units["north_a"].pk) and event.actor_label == "regional"


def test_a_unit_page_nobody_may_see_records_nothing(org, login):
    client = login("outsider")
    assert client.get(reverse("web:unit", args=[org.units["north_a"].pk])).status_code == 404
    assert not Event.objects.filter(verb="offices.view").exists()


def test_the_grants_page_is_recorded_with_the_grant_holders(org, login):
    grant_give(
        actor=Actor.system(),
        person=org.people["member2"],
        permissions=["members.view"],
        unit=org.units["north_a_1"],
        purpose="cover for the branch secretary",
        expires_at=timezone.now() + timedelta(days=14),
    )
    client = login("regional")
    response = client.get(reverse("web:grants"))
    assert response.status_code == 200 and b"Milo" in response.content
    event = Event.objects.get(verb="grants.list")
    assert event.subject_ids == [org.people["member2"].pk] and event.actor_label == "regional"


def test_the_holder_sees_who_looked_at_the_offices_page(org, login):
    from polity.audit.selectors import access_log_for_person

    login("regional").get(reverse("web:unit", args=[org.units["north_a"].pk]))
    seen = access_log_for_person(actor=org.actor("secretary"), person_id=org.people["secretary"].pk)
    assert "offices.view" in [entry.verb for entry in seen]
