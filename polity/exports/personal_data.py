"""What the exports app holds about a person (polity/dsr/registry.py): the exports they were included in,
and those they asked for. Decoys are made-up people and hold nothing about anyone."""

from __future__ import annotations

from collections.abc import Iterator

from polity.dsr.registry import Holding, Record, Subject, not_personal, register
from polity.exports.columns import WORDS
from polity.exports.models import Decoy, Entry, Export


def _included(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    ids = Entry.objects.filter(person_id=subject.person.pk).values_list("export_id", flat=True)
    for e in Export.objects.filter(pk__in=list(ids)).select_related("unit"):
        yield Record(
            kind="Included in an export",
            ref=f"export-included:{e.pk}",
            at=e.ready_at,
            fields={
                "Made by": e.requested_by_label,
                "Purpose": e.purpose_label,
                "For": e.reason,
                "Unit": e.unit.name,
                "Your data in it": ", ".join(WORDS[c] for c in e.columns),
                "Available until": e.expires_at,
                "Downloads": e.downloads,
            },
        )


def _asked(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    for e in Export.objects.filter(requested_by_person_id=subject.person.pk).select_related("unit"):
        yield Record(
            kind="Export you asked for",
            ref=f"export-asked:{e.pk}",
            at=e.requested_at,
            fields={
                "Purpose": e.purpose_label,
                "For": e.reason,
                "Unit": e.unit.name,
                "Members": e.members,
                "State": e.get_state_display(),
            },
        )


register(
    Holding(
        key="exports.included",
        title="Lists of members you were included in",
        data="Which export, made by whom, when, for what purpose, and which of your details it held",
        purposes=("Keeping exports of members' data purpose-bound and traceable",),
        lawful_basis="legitimate_interest",
        recipients="The officer who made the export; the data protection officer if a copy leaks",
        retention="As long as the access log (the file itself is deleted when it expires)",
        retention_rule="retention.access_log",
        source="The register, when the export was made",
        models=(Entry,),
        records=_included,
        on_erasure="keep",
        kept_because="It is the record of who had your data, needed to trace a leak and to answer for it",
        order=70,
    )
)
register(
    Holding(
        key="exports.requested",
        title="Exports you asked for",
        data="The purpose, audience and columns of each export you asked for, and its state",
        purposes=("Keeping exports of members' data accountable",),
        lawful_basis="legitimate_interest",
        recipients="The data protection officer, and the approving unit for large exports",
        retention="As long as the access log",
        retention_rule="retention.access_log",
        source="You, as an officer",
        models=(Export,),
        records=_asked,
        on_erasure="keep",
        kept_because="It is the record of who took members' data out of the system",
        order=71,
    )
)
not_personal(Decoy, "decoys are made-up people (names from word lists, addresses the organisation controls)")
