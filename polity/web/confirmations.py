"""What admitting a member, a transfer and a grant will do, in words, for the "are you sure?" page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats

from polity.common.labels import label
from polity.members.models import Person
from polity.members.picker import describe
from polity.web.confirm import Confirmation, carried
from polity.web.forms import GrantGiveForm, StatusForm, TransferForm


def _who(person: Person) -> str:
    return describe(person)


def _record(person: Person) -> str:
    return reverse("web:member", args=[person.pk])


def admit_confirmation(person: Person, form: StatusForm) -> Confirmation:
    reason = form.cleaned_data["reason"]
    return Confirmation(
        title=f"Admit {person.full_name}?",
        consequences=[
            f"{_who(person)} becomes an active member from today.",
            f"{person.given_name} is emailed that you admitted them, with your reason: “{reason}”.",
            "The change is kept in their membership history and the access log, under your name.",
        ],
        button=f"Admit {person.full_name}",
        cancel_url=_record(person),
        hidden=carried(form),
    )


def transfer_confirmation(person: Person, form: TransferForm) -> Confirmation:
    to = form.target()
    return Confirmation(
        title=f"Transfer {person.full_name} to {to.name}?",
        consequences=[
            f"{_who(person)} moves from {person.home_unit.name} to {to.name} now.",
            f"Officers of {person.home_unit.name} can no longer open {person.given_name}’s record; "
            f"officers of {to.name} can.",
            f"The reason is recorded with the transfer: “{form.cleaned_data['reason']}”.",
        ],
        button=f"Transfer to {to.name}",
        cancel_url=_record(person),
        hidden=carried(form),
    )


def grant_confirmation(form: GrantGiveForm) -> Confirmation:
    holder = form.selected_holder()
    unit = form.selected_unit()
    perms = ", ".join(label(p).lower() for p in form.cleaned_data["permissions"])
    until = formats.date_format(form.cleaned_data["expires_on"], "j F Y")
    return Confirmation(
        title=f"Give {holder.full_name} access over {unit.name}?",
        consequences=[
            f"{_who(holder)} may {perms} over {unit.name} and every unit below it, from now until {until}.",
            f"For the purpose you gave: “{form.cleaned_data['purpose']}”. What they open is recorded in the "
            "access log, like every officer's reads.",
            "You can revoke it at any time, with a reason that they are told.",
        ],
        button=f"Give the grant to {holder.full_name}",
        cancel_url=reverse("web:grants"),
        hidden=carried(form, holder=holder.membership_number),
    )
