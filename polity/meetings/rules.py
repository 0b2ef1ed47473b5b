"""What the rulebook says about meetings: kinds, notice periods, quorum, deadlines; and the refusal that
names the rule it applies (the API answers it 409 with the rule's code)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from polity.common.errors import DomainError, InvalidInput
from polity.org.models import Body
from polity.rulebook.durations import Duration
from polity.rulebook.loader import MeetingKind, get_rulebook

WAIVER_RULE = "meetings.waiver_percent"
MOTION_DEADLINE = "meetings.motion_deadline"
AMENDMENT_DEADLINE = "meetings.amendment_deadline"
REQUISITION_SIGNATURES = "meetings.requisition_signatures"
REQUISITION_CALL = "meetings.requisition_call_within"
MEMBERS_PER_DELEGATE = "meetings.members_per_delegate"
MIN_DELEGATES = "meetings.min_delegates_per_branch"
DELEGATE_TERM = "meetings.delegate_term"
MINUTES_CIRCULATION = "meetings.minutes_circulation"
ACKNOWLEDGEMENT = "deadlines.motion_acknowledgement"
RESPONSE = "deadlines.motion_response"
EMERGENCY_ACKNOWLEDGEMENT = "meetings.emergency_motion_acknowledgement"
EMERGENCY_RESPONSE = "meetings.emergency_motion_response"
GRACE = "membership.arrears_grace"
VOTE_PAGE_POLL = "meetings.vote_page_poll_seconds"
VOTE_PAGE_POLL_AFTER_VOTING = "meetings.vote_page_poll_after_voting_seconds"
RESULTS_POLL = "meetings.results_poll_seconds"


class MeetingRefused(DomainError):
    """A rule of meetings refused the action. `rule` is a stable code the API returns with the words:
    late_notice, inquorate, not_entitled, motion_deadline, not_in_session, waiver, vote, requisition,
    delegate_limit, referral."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def kind_of(key: str) -> MeetingKind:
    kinds = get_rulebook().meeting_kinds
    if key not in kinds:
        raise InvalidInput(f"kind: the rulebook has no kind of meeting {key!r} ({', '.join(kinds)})")
    return kinds[key]


@dataclass(frozen=True)
class Notice:
    """A meeting's notice period and where the rulebook sets it."""

    duration: Duration
    source: str  # e.g. "meeting_kinds.annual.notice" or "bodies.general_committee.notice"
    version: str

    def due_by(self, starts_at: datetime) -> datetime:
        """The latest moment notice may go out: the period before the start, on the local calendar."""
        local = self.duration.subtract_from(timezone.localtime(starts_at))
        return timezone.make_aware(local.replace(tzinfo=None))

    def words(self) -> str:
        return f"{self.duration} notice ({self.source}, rulebook {self.version})"


def notice_for(body: Body, kind: str) -> Notice:
    rulebook = get_rulebook()
    meeting_kind = kind_of(kind)
    if meeting_kind.notice is not None:
        return Notice(meeting_kind.notice, f"meeting_kinds.{kind}.notice", rulebook.version)
    return Notice(rulebook.bodies[body.kind].notice, f"bodies.{body.kind}.notice", rulebook.version)


def quorum_for(body: Body, entitled: int) -> int:
    """The body's quorum: its number, or its share of those entitled when the rulebook sets one (the larger)."""
    body_type = get_rulebook().bodies[body.kind]
    share = math.ceil(entitled * body_type.quorum_percent / 100) if body_type.quorum_percent else 0
    return max(body_type.quorum, share)


def waiver_needs(entitled: int) -> int:
    """How many of those entitled must be present to waive late notice."""
    return math.ceil(entitled * get_rulebook().number(WAIVER_RULE) / 100)


def poll_seconds(*, has_voted_in_all: bool) -> int:
    """How often a phone's vote page asks for news: less often once it has voted in every open vote."""
    key = VOTE_PAGE_POLL_AFTER_VOTING if has_voted_in_all else VOTE_PAGE_POLL
    return max(1, get_rulebook().number(key))


def results_poll_seconds() -> int:
    return max(1, get_rulebook().number(RESULTS_POLL))


def delegate_allowance(members_in_good_standing: int) -> int:
    rulebook = get_rulebook()
    per = max(1, rulebook.number(MEMBERS_PER_DELEGATE))
    return max(rulebook.number(MIN_DELEGATES), members_in_good_standing // per)
