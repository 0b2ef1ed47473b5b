"""What the meetings app holds about a person (polity/dsr/registry.py): notices sent to them, their
attendance, motions they moved or seconded and their named votes, that they voted in a secret vote (never
how), and their calendar feed."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q

from polity.dsr.registry import Holding, Record, Subject, register
from polity.meetings.models import Attendance, CalendarFeed, Motion, NamedVote, NoticeGiven, SecretVoteReceipt

GOVERNANCE = ("Running the meetings of the bodies you sit on, as the rules require",)


def _attendance(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    pid = subject.person.pk
    for n in NoticeGiven.objects.filter(person_id=pid).select_related("meeting__body"):
        yield Record(
            kind="Notice of a meeting",
            ref=f"notice:{n.pk}",
            at=n.queued_at,
            fields={"Meeting": n.meeting.title, "Body": n.meeting.body.name, "Sent": n.queued_at},
        )
    for a in Attendance.objects.filter(person_id=pid).select_related("meeting__body"):
        yield Record(
            kind="Attendance at a meeting",
            ref=f"attendance:{a.pk}",
            at=a.recorded_at,
            fields={
                "Meeting": a.meeting.title,
                "Body": a.meeting.body.name,
                "Attendance": a.get_presence_display(),
                "Entitled to take part": a.is_entitled,
                "Signed in yourself": a.self_signed,
            },
        )


def _motions(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    pid = subject.person.pk
    for m in Motion.objects.filter(Q(mover_id=pid) | Q(seconder_id=pid)).select_related("meeting"):
        yield Record(
            kind="Motion you moved or seconded",
            ref=f"motion:{m.pk}",
            at=m.submitted_at,
            fields={
                "Meeting": m.meeting.title,
                "Motion": m.title,
                "Your part": "Mover" if m.mover_id == pid else "Seconder",
                "Result": m.get_state_display(),
            },
        )
    for v in NamedVote.objects.filter(person_id=pid).select_related("motion__meeting"):
        yield Record(
            kind="Your named vote",
            ref=f"named_vote:{v.pk}",
            at=v.cast_at,
            fields={
                "Meeting": v.motion.meeting.title,
                "Motion": v.motion.title,
                "Vote": v.get_choice_display(),
            },
        )
    for r in SecretVoteReceipt.objects.filter(person_id=pid).select_related("motion__meeting"):
        yield Record(
            kind="You voted in a secret vote (how you voted is not kept with your name)",
            ref=f"secret_receipt:{r.pk}",
            at=None,
            fields={"Meeting": r.motion.meeting.title, "Motion": r.motion.title},
        )


def _feed(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    for f in CalendarFeed.objects.filter(person_id=subject.person.pk):
        yield Record(kind="Calendar feed", ref=f"feed:{f.pk}", at=f.created_at, fields={"Made": f.created_at})


register(
    Holding(
        key="meetings.attendance",
        title="Meetings you were given notice of and attended",
        data="Notices sent to you; your attendance or apologies at meetings",
        purposes=GOVERNANCE,
        lawful_basis="legitimate_interest",
        recipients="The officers who run the body's meetings; the minutes",
        retention="With the meeting's record",
        source="The secretary, or you when you signed in",
        models=(NoticeGiven, Attendance),
        records=_attendance,
        on_erasure="keep",
        kept_because="A meeting's validity (notice to every member, quorum) rests on this record",
        order=70,
    )
)

register(
    Holding(
        key="meetings.motions",
        title="Motions you moved or seconded, and your votes",
        data="Your name on motions; your named votes; that you voted in secret votes (never how)",
        purposes=GOVERNANCE,
        lawful_basis="legitimate_interest",
        recipients="The body's members; named votes are shown with the result",
        retention="With the meeting's record",
        source="You",
        models=(Motion, NamedVote, SecretVoteReceipt),
        records=_motions,
        on_erasure="keep",
        kept_because="A body's decisions and who proposed them are part of its record",
        order=71,
    )
)

register(
    Holding(
        key="meetings.feed",
        title="Your calendar feed of meetings",
        data="That you made a private calendar address (only a hash of its secret is kept)",
        purposes=("Giving you your meetings in your calendar",),
        lawful_basis="legitimate_interest",
        recipients="No one",
        retention="Until you turn it off",
        source="You",
        models=(CalendarFeed,),
        records=_feed,
        order=72,
    )
)
