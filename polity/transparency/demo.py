"""Demo statistics: the national report of the last ended quarter, published (frozen) as version 1, so the
reports page has one to open. Called by `polity demo` inside its transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from polity.transparency import quarters
from polity.transparency.services import report_publish

if TYPE_CHECKING:
    from polity.demo.services import DemoContext


def populate(ctx: DemoContext) -> None:
    top = next(u for u in ctx.units.values() if u.parent_id is None)
    report_publish(actor=ctx.actor, unit=top, quarter=quarters.previous(quarters.current()))
