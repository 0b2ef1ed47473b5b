"""Generating the demo organisation, deterministically from a seed.

`demo_generate(actor=Actor.system(), members=5000, seed=1)` builds, in one transaction: the unit tree
(national, regions, constituencies, branches), their bodies, about `members` people with realistic
statuses, payments consistent with the rulebook's arrears rules, rejoiners with several membership
periods, a few transfers, every unit's officers, general committee delegates, and the named logins
(national, regional, secretary, branchsec, dpo, member, outsider; password `polity-demo`) with their
second factors. Rows are written in bulk; the access log gets one `demo.generate` event per stage and
per batch of members (counts and id ranges, never a list of 500,000 ids).

Hook for other apps: after the register is built, every installed app with a module `<app>.demo`
defining `populate(ctx: DemoContext) -> None` is called, in INSTALLED_APPS order, inside the same
transaction. `ctx` carries the seed, a `random.Random` seeded from it (use it, and only it, so the
demo stays deterministic), today's date, the actor (the system), the units by code and the named
people (`ctx.people["secretary"]`, ...). Use your own services to add content; keep it quick.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from polity.access.models import OfficeTerm
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden
from polity.demo.logins import DemoLogin, create_logins, logins_text, write_logins_file
from polity.demo.offices import choose_story, eligible_pool, write_offices
from polity.demo.people import MemberFactory
from polity.demo.tree import plan_tree, write_tree
from polity.members.bulkload import IdAllocator, foreign_keys_checked_at_end
from polity.members.models import MembershipPeriod, Payment, Person, StatusChange, Transfer
from polity.org.models import Body, Unit

DEFAULT_MEMBERS = 5000
DEFAULT_SEED = 1
# Tables the demo never wipes: Django's own catalogue of content types and permissions.
_BULK_MODELS = (Unit, Body, Person, MembershipPeriod, StatusChange, Payment, Transfer, OfficeTerm)
_KEEP_TABLES = {"django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}


@dataclass
class DemoContext:
    seed: int
    rng: random.Random
    today: date
    actor: Actor
    units: dict[str, Unit]
    people: dict[str, Person]


@dataclass
class DemoResult:
    seed: int
    counts: dict[str, int]
    logins: list[DemoLogin]
    logins_text: str
    hooks: list[str] = field(default_factory=list)


def logins_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.txt"


def register_is_empty() -> bool:
    """True when there is no unit and no person yet: the demo may load without --force."""
    return not Unit.objects.exists() and not Person.objects.exists()


def demo_wipe(*, actor: Actor) -> None:
    """Delete every row of the application (register, offices, accounts, the access log, tasks).

    Only for the demo (`polity demo --force`): the log goes too, since its subjects would otherwise
    point at the new demo's people.
    """
    if not actor.is_system:
        raise Forbidden("only the system wipes the database")
    tables = sorted(set(connection.introspection.django_table_names(only_existing=True)) - _KEEP_TABLES)
    sql = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # TRUNCATE refuses tables with checks still queued
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        connection.ops.execute_sql_flush(sql)


def demo_generate(
    *,
    actor: Actor,
    members: int = DEFAULT_MEMBERS,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    today: date | None = None,
    progress: Callable[[int], object] | None = None,
    write_file: bool = True,
    hooks: bool = True,
) -> DemoResult:
    """Build the demo organisation. Refuses a non-empty database unless `force` (which wipes it)."""
    if not actor.is_system:
        raise Forbidden("only the system generates the demo organisation")
    if members < 100:
        raise DomainError("the demo needs at least 100 members")
    today = today or timezone.localdate()
    rng = random.Random(seed)
    with transaction.atomic():
        if not register_is_empty():
            if not force:
                raise DomainError(
                    "the database already holds a register: `polity demo --force` wipes it and starts again"
                )
            demo_wipe(actor=actor)
        ids = IdAllocator(Unit, Body, Person, MembershipPeriod)
        with foreign_keys_checked_at_end(*_BULK_MODELS):
            tree = plan_tree(rng, members, ids)
            counts = write_tree(tree)
            audit_record(actor=actor, verb="demo.generate", data={"stage": "units", "seed": seed, **counts})

            factory = MemberFactory(rng=rng, today=today, tree=tree, ids=ids)

            def batch_written(n: int) -> None:
                if progress is not None:
                    progress(n)

            generated = factory.generate(members, progress=batch_written)
            counts.update(generated.counts)
            audit_record(
                actor=actor,
                verb="demo.generate",
                data={
                    "stage": "members",
                    "first_id": generated.first_id,
                    "last_id": generated.last_id,
                    **generated.counts,
                },
            )
            # Offices go only to members the rulebook lets hold one (length of membership, active).
            pool = eligible_pool(generated.active_by_branch, generated.joined_on, today)
            story = choose_story(rng, tree, pool)
            counts["office_terms"] = write_offices(rng, tree, pool, story, today, generated.joined_on)
            ids.finish()
        logins = create_logins(seed, story.roles, story.people)
        audit_record(
            actor=actor,
            verb="demo.generate",
            data={"stage": "offices", "office_terms": counts["office_terms"], "logins": len(logins)},
        )
        ctx = DemoContext(
            seed=seed,
            rng=rng,
            today=today,
            actor=actor,
            units=Unit.objects.in_bulk(field_name="code"),
            people={name: Person.objects.get(pk=pk) for name, pk in story.people.items()},
        )
        called = _run_hooks(ctx) if hooks else []
        text = logins_text(logins, seed=seed, site=settings.POLITY_BASE_URL.rstrip("/") + "/")
        if write_file:
            transaction.on_commit(lambda: write_logins_file(logins_path(), text))
    return DemoResult(seed=seed, counts=counts, logins=logins, logins_text=text, hooks=called)


def _run_hooks(ctx: DemoContext) -> list[str]:
    called = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name == "polity.demo" or importlib.util.find_spec(name) is None:
            continue
        populate = getattr(importlib.import_module(name), "populate", None)
        if callable(populate):
            populate(ctx)
            called.append(name)
    return called
