"""Writes on data subject requests. Each service checks permission first, works in one transaction and
records its audit event there (docs/dsr.md)."""

from polity.dsr.services.answer import (
    delivery_download,
    erase_people,
    package_send,
    rectification_apply,
    redaction_decide,
    redaction_undo,
    request_answer,
    request_erase,
    request_refuse,
    request_stop_processing,
    request_withdraw,
)
from polity.dsr.services.clockwork import dsr_clock_tick, request_extend, request_pause, request_resume
from polity.dsr.services.intake import (
    request_public_confirm,
    request_public_start,
    request_record,
    request_submit_own,
)

__all__ = [
    "delivery_download",
    "dsr_clock_tick",
    "erase_people",
    "package_send",
    "rectification_apply",
    "redaction_decide",
    "redaction_undo",
    "request_answer",
    "request_erase",
    "request_extend",
    "request_pause",
    "request_public_confirm",
    "request_public_start",
    "request_record",
    "request_refuse",
    "request_resume",
    "request_stop_processing",
    "request_submit_own",
    "request_withdraw",
]
