"""Attribution: a leaked excerpt names its export whatever was done to it (rows reordered, columns dropped or
moved, text re-cased, partial copies); a decoy contact names its export; both start the breach clock and
alert the data protection officer; mail to a decoy address arrives over real SMTP."""

from __future__ import annotations

import csv
import io
import random
import smtplib
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polity.common.errors import Forbidden, InvalidInput
from polity.deadlines.models import Deadline
from polity.exports.attribution import attribute, parse_excerpt
from polity.exports.incidents import decoy_contact_record, excerpt_attribute, incident_report
from polity.exports.models import Decoy, DecoyContact, Export, Incident
from polity.exports.services import export_request


@pytest.fixture
def made(world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Three exports of the same constituency by the secretary: a sign-in list, an email list, a phone list."""
    from polity.exports.tests.conftest import give_consent

    for person in world.extra:
        give_consent(person, "campaigning", "phone")
    out = []
    for purpose, channel, columns in (
        ("service", "", ["name", "membership_number", "branch"]),
        ("service", "email", ["name", "email"]),
        ("campaigning", "phone", ["name", "branch", "phone"]),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            export = export_request(
                actor=world.org.actor("secretary"),
                audience=world.audience,
                purpose=purpose,
                channel=channel,
                columns=columns,
                format="csv",
                reason="test",
            )
        out.append(Export.objects.get(pk=export.pk))
    return out


def _rows(export):  # type: ignore[no-untyped-def]
    with export.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))


def _text(rows):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def test_a_whole_file_names_its_export_for_certain(made):
    for export in made:
        att = attribute(parse_excerpt(_text(_rows(export))))
        assert [c.export.pk for c in att.named] == [export.pk]
        assert att.named[0].certain and att.named[0].decoys == export.decoys
        assert len(att.members_in_excerpt) == export.members


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32),
    keep_share=st.floats(0.3, 1.0),
    recase=st.sampled_from(["upper", "lower", "same"]),
)
def test_attribution_survives_reordering_dropped_columns_recasing_and_partial_copies(
    made, seed, keep_share, recase
):
    rng = random.Random(seed)
    export = made[2]  # name, branch, phone
    rows = _rows(export)[1:]
    rng.shuffle(rows)
    rows = rows[: max(1, int(len(rows) * keep_share))]
    order = [0, 1, 2, 3]
    rng.shuffle(order)
    kept = [i for i in order if i != 2 or rng.random() < 0.5]  # the branch may go
    edited = []
    for row in rows:
        cells = [row[i] for i in kept]
        cells = [c.upper() if recase == "upper" else c.lower() if recase == "lower" else c for c in cells]
        cells = [c.replace("07700 ", "+44 7700-") for c in cells]
        edited.append(cells)
    att = attribute(parse_excerpt(_text(edited)))
    decoys_in = {r[3] for r in rows} & set(
        Decoy.objects.filter(export=export).values_list("phone", flat=True)
    )
    if decoys_in:
        assert [c.export.pk for c in att.named] == [export.pk] and att.named[0].certain
    else:  # no decoy in this part: the phone list is still the likeliest (only it holds these numbers)
        assert att.candidates and att.candidates[0].export.pk == export.pk


def test_names_alone_still_point_at_the_export(made):
    export = made[0]
    rows = [[f"{r[1].upper()}, {r[0]}"] for r in _rows(export)[1:]]  # "FAMILY, Given" only
    att = attribute(parse_excerpt("\n".join(r[0] for r in rows)))
    assert export.pk in {c.export.pk for c in att.candidates}
    assert att.named[0].export.pk == export.pk and att.named[0].by_name_only


def test_rows_from_no_export_match_nothing(made):
    att = attribute(parse_excerpt("Given,Family,Phone\nZed,Nobody,01632 960000\n"))
    assert att.rows_matched == 0 and att.candidates == []


def test_the_dpo_traces_and_starts_the_72_hour_clock(made, world):
    export = made[1]
    traced = excerpt_attribute(
        actor=world.org.actor("dpo"), text=_text(_rows(export)[:9]), open_incident=True
    )
    incident = traced.incident
    assert incident is not None and incident.exports[0]["export"] == export.pk
    assert incident.affected == export.members
    deadline = Deadline.objects.get(pk=incident.deadline_id)
    assert (deadline.due_at - deadline.started_at).total_seconds() == 72 * 3600
    incident_report(actor=world.org.actor("dpo"), incident=incident, reference="ICO-123")
    deadline.refresh_from_db()
    assert deadline.state == "met"


@pytest.mark.parametrize("who", ["secretary", "regional", "national", "member"])
def test_only_the_dpo_traces(made, world, who):
    with pytest.raises(Forbidden):
        excerpt_attribute(actor=world.org.actor(who), text="a,b\n")
    with pytest.raises(Forbidden):
        decoy_contact_record(actor=world.org.actor(who), address="x@y.z", channel="phone", route="reported")


def test_a_reported_call_to_a_decoy_opens_an_incident_and_alerts_the_dpo(made, world):
    from polity.access.models import AccessNotice

    decoy = Decoy.objects.filter(export=made[2]).first()
    written = "+44 " + decoy.phone[1:].replace(" ", "-")
    contact = decoy_contact_record(
        actor=world.org.actor("dpo"), address=written, channel="phone", route="reported"
    )
    assert contact.decoy == decoy and contact.incident.exports[0]["export"] == made[2].pk
    notice = AccessNotice.objects.get(person=world.org.people["dpo"])
    assert f"export {made[2].pk}" in notice.subject
    again = decoy_contact_record(
        actor=world.org.actor("dpo"), address=decoy.phone, channel="sms", route="reported"
    )
    assert again.incident == contact.incident and Incident.objects.count() == 1
    with pytest.raises(InvalidInput, match="not a decoy"):
        decoy_contact_record(
            actor=world.org.actor("dpo"), address="07700 900001", channel="phone", route="reported"
        )


@pytest.mark.django_db(transaction=True)
def test_mail_to_a_decoy_over_real_smtp_alerts_the_dpo(world, made):
    from aiosmtpd.controller import Controller

    from polity.exports.inbound import DecoyHandler
    from polity.outbox.tests.helpers import free_port

    decoy = Decoy.objects.filter(export=made[1]).first()
    port = free_port()
    controller = Controller(DecoyHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        message = EmailMessage()
        message["From"] = "rival@campaign.example"
        message["To"] = decoy.email.upper()
        message["Subject"] = "Vote for us"
        message.set_content("Hello")
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(message)
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("a@b.example", ["someone@elsewhere.example"], b"Subject: x\r\n\r\nx")
    finally:
        controller.stop()
    contact = DecoyContact.objects.get()
    assert contact.decoy == decoy and contact.route == "smtp" and contact.subject == "Vote for us"
    _dpo_alerted_and_clock_running(world, contact)


def _dpo_alerted_and_clock_running(world, contact):  # type: ignore[no-untyped-def]
    """The incident's 72-hour clock runs from the contact, and the DPO has a notice with its email queued."""
    from polity.access.models import AccessNotice

    incident = contact.incident
    assert incident is not None and incident.exports[0]["export"] == contact.decoy.export_id
    deadline = Deadline.objects.get(pk=incident.deadline_id)
    assert deadline.state == "open" and (deadline.due_at - deadline.started_at).total_seconds() == 72 * 3600
    notice = AccessNotice.objects.get(person=world.org.people["dpo"])
    assert f"export {contact.decoy.export_id} was contacted" in notice.subject
    assert notice.dispatch_id is not None  # its email is in the outbox


@pytest.mark.django_db(transaction=True)
def test_mail_to_a_decoy_in_the_imap_mailbox_alerts_the_dpo_once(world, made):
    from polity.exports.inbound import imap_poll
    from polity.exports.tests.imap_server import ImapServer, Mailbox

    decoy = Decoy.objects.filter(export=made[2]).first()
    to_decoy = (
        f"From: rival@campaign.example\r\nTo: {decoy.given_name} <{decoy.email}>\r\n"
        "Subject: Donate now\r\n\r\nHello\r\n"
    ).encode()
    to_nobody = b"From: spam@example.com\r\nTo: someone@elsewhere.example\r\nSubject: x\r\n\r\nx\r\n"
    box = Mailbox("decoys", "s3cret pass", [to_nobody, to_decoy])
    with ImapServer(box) as port:
        with pytest.raises(Exception, match="wrong user or password"):
            imap_poll(f"imap://decoys:wrong@127.0.0.1:{port}/INBOX")
        assert imap_poll(f"imap://decoys:s3cret%20pass@127.0.0.1:{port}/INBOX") == 1
        assert box.seen == {1, 2}  # both read and marked, neither read again
        assert imap_poll(f"imap://decoys:s3cret%20pass@127.0.0.1:{port}/INBOX") == 0
    contact = DecoyContact.objects.get()
    assert contact.decoy == decoy and contact.route == "imap" and contact.subject == "Donate now"
    assert contact.sender == "rival@campaign.example"
    _dpo_alerted_and_clock_running(world, contact)


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_COLUMNS = st.lists(
    st.sampled_from(["name", "membership_number", "branch", "email", "phone", "address"]),
    unique=True,
    min_size=1,
)


@settings(max_examples=300, deadline=None)
@given(
    columns=_COLUMNS,
    given_name=_TEXT,
    family_name=_TEXT,
    email=st.one_of(st.emails(), _TEXT, st.none()),
    phone=st.one_of(st.from_regex(r"\+?44 ?7\d{3} ?\d{6}", fullmatch=True), _TEXT),
    number=st.one_of(st.from_regex(r"[A-Z] ?-?0*\d{1,9}", fullmatch=True), _TEXT),
    address=_TEXT,
)
def test_the_export_hashes_a_row_as_row_keys_does(
    columns, given_name, family_name, email, phone, number, address
):
    """The worker's fast hasher and `row_keys` (which attribution's tests exercise) index the same values:
    one difference and a leaked file would no longer match its export."""
    from polity.exports.columns import Row, hasher, keys_of

    values = {"email": email, "phone": phone, "membership_number": number, "address_line": address}
    row = Row(given_name, family_name, values, person_id=1)
    assert hasher(columns)(row) == [h for _kind, h in keys_of(row, columns)]


@given(
    number=st.one_of(
        st.from_regex(r"\s?[A-Za-z]\d{0,14}\s?", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9٣²]{0,12}", fullmatch=True),
        _TEXT,
    )
)
def test_a_membership_number_normalises_as_the_pattern_reads_it(number):
    """The shortcut for the usual "M0000045" gives what the pattern gives, for any text: leading zeros, too
    many digits, other scripts' digits, a lone letter."""
    from polity.exports.fingerprints import _NUMBER, norm_number

    match = _NUMBER.search(number.strip())
    assert norm_number(number) == (f"{match.group(1).upper()}{int(match.group(2))}" if match else "")
