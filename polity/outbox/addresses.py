"""Addresses of recipients who are not on the register, asked of the app that holds them at send time.

A data protection request from a non-member, a letter's reply address, the public form's confirmation:
each is one message to an address that belongs to a record of another app, not to a Person. The outbox
still stores no address. The app registers, at start, a function from its record's id to the address as it
stands now (`register("dsr.request", fn)`); `dispatch_to_source` queues one entry for that record, and the
delivery asks the function when it sends, so an address erased in the meantime is never written to.
"""

from __future__ import annotations

from collections.abc import Callable

# source type -> (source id -> the address now, "" when there is none any more)
_RESOLVERS: dict[str, Callable[[str], str]] = {}


def register(source_type: str, resolve: Callable[[str], str]) -> None:
    """Declare where the address of a `source_type` record is found. Called from an app's ready()."""
    _RESOLVERS[source_type] = resolve


def is_registered(source_type: str) -> bool:
    return source_type in _RESOLVERS


def address_of(source_type: str, source_id: str) -> str:
    """The address of that record now; "" when its app knows none (erased, or no resolver)."""
    resolve = _RESOLVERS.get(source_type)
    return (resolve(source_id) or "").strip() if resolve is not None else ""
