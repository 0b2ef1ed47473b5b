"""Forms of the meetings pages: they parse; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from polity.meetings.models import Choice, Presence, VoteMethod
from polity.rulebook.loader import get_rulebook
from polity.web.picker import PersonField


def _kinds() -> list[tuple[str, str]]:
    return [(k, kind.label) for k, kind in get_rulebook().meeting_kinds.items()]


class CallForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of meeting", choices=_kinds)
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(
        label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(max_length=300)
    online_link = forms.URLField(label="Online link (optional)", required=False, max_length=500)
    agenda = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="One item a line; they are numbered.",
    )


class AttendanceForm(forms.Form):
    person = PersonField(scope="meetings", label="Person")
    presence = forms.ChoiceField(choices=Presence.choices, initial=Presence.PRESENT)


class MotionForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Motion")
    seconder = PersonField(scope="meetings", label="Seconder")
    amends = forms.ChoiceField(label="Amends (for an amendment)", required=False)
    emergency = forms.BooleanField(
        required=False, label="Emergency motion (after the deadline: the chair rules whether it is taken)"
    )

    def __init__(self, *args: Any, motions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amends"].choices = [("", "— a motion, not an amendment")] + [  # type: ignore[attr-defined]
            (str(m.pk), f"Motion {m.number}: {m.title}") for m in motions
        ]


class CountsForm(forms.Form):
    votes_for = forms.IntegerField(min_value=0, label="For")
    against = forms.IntegerField(min_value=0, label="Against")
    abstain = forms.IntegerField(min_value=0, label="Abstentions", initial=0)


class MethodForm(forms.Form):
    method = forms.ChoiceField(
        choices=[(VoteMethod.SECRET, VoteMethod.SECRET.label), (VoteMethod.NAMED, VoteMethod.NAMED.label)]
    )


class ChoiceForm(forms.Form):
    choice = forms.ChoiceField(choices=Choice.choices)


class RulingForm(forms.Form):
    admit = forms.ChoiceField(choices=[("yes", "Admit it"), ("no", "Rule it out of order")], label="Ruling")
    ruling = forms.CharField(max_length=500, label="The chair's reasons")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500)


class TextForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}))


class ApproveForm(forms.Form):
    minutes = forms.ChoiceField(label="Minutes of")
    corrected_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        label="Corrections (the corrected text; optional)",
    )

    def __init__(self, *args: Any, minutes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minutes"].choices = [  # type: ignore[attr-defined]
            (str(m.pk), f"{m.meeting.title} ({m.meeting.starts_at:%d %b %Y}), version {m.version}")
            for m in minutes
        ]


class ReferForm(forms.Form):
    to_body = forms.ChoiceField(label="Send to")
    emergency = forms.BooleanField(required=False, label="As an emergency (the shorter deadline)")

    def __init__(self, *args: Any, bodies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_body"].choices = [(str(b.pk), f"{b.name} ({b.unit.name})") for b in bodies]  # type: ignore[attr-defined]
