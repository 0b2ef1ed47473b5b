"""Shapes of the API's answers. Contact details are a separate, nullable object: absent unless allowed."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class UnitOut(Schema):
    id: int
    name: str
    code: str
    level: str
    parent: int | None


class ContactOut(Schema):
    email: str
    phone: str
    address_line: str
    town: str
    postcode: str


class MemberOut(Schema):
    id: int
    membership_number: str
    given_name: str
    family_name: str
    status: str
    status_label: str = ""
    home_unit: int
    home_unit_name: str
    joined_on: date
    paid_until: date | None
    contact: ContactOut | None = None


class PeriodOut(Schema):
    started_on: date
    ended_on: date | None
    end_status: str


class PaymentOut(Schema):
    amount_pence: int
    paid_on: date
    covers_until: date
    method: str


class MemberDetailOut(MemberOut):
    periods: list[PeriodOut]
    payments: list[PaymentOut]


class MemberPageOut(Schema):
    page: int
    page_size: int
    has_next: bool
    items: list[MemberOut]


class PermissionScopeOut(Schema):
    permission: str
    unit: int
    source: str


class MeOut(Schema):
    username: str
    person: MemberOut | None
    permissions: list[PermissionScopeOut]


class AccessLogEntryOut(Schema):
    seq: int
    at: datetime
    who: str
    verb: str
    what: str
    purpose: str
    channel: str


class ResignationOut(Schema):
    id: int
    person: int
    route: str
    route_label: str
    state: str
    state_label: str
    received_on: date
    window_ends_at: datetime
    rule: str
    rule_version: str
    reason: str
    dispute: str
    letter_name: str
    letter_sha256: str
    letter_size: int | None
    created_at: datetime
    closed_at: datetime | None


class ErrorOut(Schema):
    detail: str
