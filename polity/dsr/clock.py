"""The statutory clock of a data subject request, as pure date arithmetic on the rulebook's periods.

- The answer is due `subject_access.response` after receipt, to the corresponding date of the month
  ("1m" from 31 January is 28 or 29 February: the last day of the month when there is no corresponding
  date; see polity.rulebook.durations).
- While the request waits for the requester (proof of identity, a clarification) the clock stops: every
  day of a pause moves the due date one day later. A pause still open stops the clock until today.
- The due date may be extended once, by at most `subject_access.extension` after the first due date, and
  only if the reasons reach the requester within `subject_access.extension_notice_within` of receipt
  (paused days added: the first month, as the clock counts it).
- A data-protection complaint is acknowledged within `subject_access.complaint_acknowledgement`.

Deadlines fall at the end of their day in the installation's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from polity.rulebook.durations import Duration
from polity.rulebook.loader import Rule, get_rulebook

RESPONSE = "subject_access.response"
EXTENSION = "subject_access.extension"
EXTENSION_NOTICE = "subject_access.extension_notice_within"
COMPLAINT_ACK = "subject_access.complaint_acknowledgement"
AT_RISK = "subject_access.at_risk"


@dataclass(frozen=True)
class Pause:
    started_on: date
    ended_on: date | None = None  # None: still waiting

    def days(self, today: date) -> int:
        end = self.ended_on if self.ended_on is not None else max(today, self.started_on)
        return max(0, (end - self.started_on).days)


def paused_days(pauses: Sequence[Pause], today: date) -> int:
    return sum(p.days(today) for p in pauses)


def first_due(received_on: date, response: Duration, pauses: Sequence[Pause] = (), *, today: date) -> date:
    """The due date before any extension: the corresponding date, later by every paused day."""
    return response.add_to(received_on) + timedelta(days=paused_days(pauses, today))


def extension_notice_by(
    received_on: date, notice_within: Duration, pauses: Sequence[Pause] = (), *, today: date
) -> date:
    """The last day on which the reasons for an extension may reach the requester."""
    return notice_within.add_to(received_on) + timedelta(days=paused_days(pauses, today))


def latest_extended_due(first: date, extension: Duration) -> date:
    return extension.add_to(first)


def due_on(
    received_on: date,
    *,
    response: Duration,
    pauses: Sequence[Pause] = (),
    extended_to: date | None = None,
    today: date,
) -> date:
    """The date the answer is due now: the extended date if there is one, else the first due date."""
    first = first_due(received_on, response, pauses, today=today)
    return max(first, extended_to) if extended_to is not None else first


def days_left(due: date, today: date) -> int:
    """Whole days from today to the due date: 0 on the day itself, negative when overdue."""
    return (due - today).days


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def local_today(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


@dataclass(frozen=True)
class Rules:
    response: Rule
    extension: Rule
    extension_notice: Rule
    complaint_ack: Rule
    at_risk: Rule


def rules() -> Rules:
    rb = get_rulebook()
    return Rules(
        response=rb.rule(RESPONSE),
        extension=rb.rule(EXTENSION),
        extension_notice=rb.rule(EXTENSION_NOTICE),
        complaint_ack=rb.rule(COMPLAINT_ACK),
        at_risk=rb.rule(AT_RISK),
    )
