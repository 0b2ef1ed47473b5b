"""Case pages: a member's complaint form and status page, the respondent's reply and evidence, the team's
queue and actions (a refusal shows its rule), statistics; anonymous users are sent to sign in."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from polity.audit.models import Event
from polity.cases.models import Case
from polity.cases.tests import flows


def test_member_files_a_complaint_with_evidence_and_sees_it(login):
    c = login("member")
    upload = SimpleUploadedFile("photo.txt", b"evidence bytes")
    r = c.post(
        reverse("cases:new"),
        {"summary": "I was shouted down.", "file": upload, "evidence_description": "A note"},
    )
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.evidence.get().size == len(b"evidence bytes")
    page = c.get(reverse("cases:detail", args=[case.pk]))
    assert (
        page.status_code == 200
        and b"Received" in page.content
        and b"complaint_acknowledgement" in page.content
    )
    assert case.reference.encode() in c.get(reverse("cases:home")).content


def test_respondent_sees_the_evidence_sent_and_replies(cases, login):
    case = flows.to_notice(cases, delivered=True)
    c = login("member2")
    page = c.get(reverse("cases:detail", args=[case.pk]))
    assert b"Minutes" in page.content and b"Your reply" in page.content
    evidence = case.evidence.get()
    before = Event.objects.filter(verb="case.evidence_open").count()
    r = c.get(reverse("cases:evidence", args=[evidence.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"minutes of the meeting"
    assert Event.objects.filter(verb="case.evidence_open").count() == before + 1
    r = c.post(reverse("cases:act", args=[case.pk, "reply"]), {"text": "It was not me."})
    assert r.status_code == 302 and case.replies.count() == 1


def test_an_outsider_gets_404(cases, login):
    case = flows.complaint(cases)
    c = login("outsider")
    assert c.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert c.get(reverse("cases:evidence", args=[999])).status_code == 404


def test_team_queue_and_a_refused_action_shows_the_rule(cases, login):
    case = flows.to_notice(cases, delivered=False)
    c = login("handler")
    assert case.reference.encode() in c.get(reverse("cases:queue")).content
    c = login("panel1")
    r = c.post(reverse("cases:act", args=[case.pk, "decide"]), {"outcome": "warning", "reasons": "Proven."})
    assert r.status_code == 409 and b"Nobody is sanctioned unheard" in r.content


def test_statistics_page(cases, login):
    flows.complaint(cases)
    c = login("member")
    r = c.get(reverse("cases:stats"))
    assert r.status_code == 200 and b"Received" in r.content
    assert c.get(reverse("cases:stats_unit", args=[cases.org.units["north"].pk])).status_code == 200


def test_anonymous_users_are_sent_to_sign_in(client, cases):
    for url in (
        reverse("cases:home"),
        reverse("cases:new"),
        reverse("cases:queue"),
        reverse("cases:stats"),
        reverse("cases:detail", args=[1]),
        reverse("cases:evidence", args=[1]),
    ):
        assert client.get(url).status_code == 302
