"""Forms of the comms pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from polity.common.labels import audience_in_words, label
from polity.comms.models import Audience, BodyPart
from polity.members.models import Status
from polity.org.models import Body, Unit
from polity.rulebook.loader import CHANNELS, get_rulebook
from polity.web.picker import PersonField


def _purpose_choices() -> list[tuple[str, str]]:
    return [(k, p.label) for k, p in get_rulebook().purposes.items()]


class AudienceForm(forms.Form):
    name = forms.CharField(max_length=200)
    unit = forms.ChoiceField(label="Within unit")
    units = forms.MultipleChoiceField(label="Only these units (optional)", required=False)
    body = forms.ChoiceField(label="Body (optional)", required=False)
    body_part = forms.ChoiceField(
        label="Of the body",
        required=False,
        choices=[("", "—"), (BodyPart.MEMBERS, "Members"), (BodyPart.DELEGATES, "Delegates")],
    )
    statuses = forms.MultipleChoiceField(required=False, choices=Status.choices)
    min_days_in_arrears = forms.IntegerField(
        required=False, min_value=0, max_value=36500, label="At least this many days in arrears"
    )
    joined_since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    offices = forms.MultipleChoiceField(required=False, label="Holders of these offices")

    def __init__(self, *args: Any, units: list[Unit], bodies: list[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_choices = [(str(u.pk), f"{'  ' * u.depth}{u.name} ({u.level})") for u in units]
        self.fields["unit"].choices = unit_choices  # type: ignore[attr-defined]
        self.fields["units"].choices = unit_choices  # type: ignore[attr-defined]
        self.fields["body"].choices = [("", "—")] + [(str(b.pk), f"{b.name} ({b.unit.name})") for b in bodies]  # type: ignore[attr-defined]
        self.fields["offices"].choices = [(k, o.label) for k, o in get_rulebook().offices.items()]  # type: ignore[attr-defined]


class PreviewForm(forms.Form):
    """Count an audience for a purpose and channel (the page starts from the audience's own purpose)."""

    purpose = forms.ChoiceField(choices=_purpose_choices)
    channel = forms.ChoiceField(choices=[(c, label(c)) for c in CHANNELS], initial="email")


class MessageForm(forms.Form):
    audience = forms.ChoiceField()
    purpose = forms.ChoiceField(choices=_purpose_choices)
    channel = forms.ChoiceField(choices=[("email", "Email"), ("sms", "SMS")])
    subject = forms.CharField(max_length=300, required=False)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Merge fields: {{ given_name }}, {{ family_name }}, {{ full_name }}, {{ unit }}, "
        "{{ sender_unit }}, {{ body_name }}; with a meeting also {{ meeting_title }}, {{ meeting_date }}, "
        "{{ meeting_time }}, {{ meeting_place }}, {{ meeting_agenda }}.",
    )
    scheduled_for = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty to send when you press send.",
    )
    meeting = forms.ChoiceField(
        required=False,
        label="Meeting (optional)",
        help_text="The meeting the message is about: it fills the meeting merge fields. The audience must be "
        "of the meeting's body.",
    )

    def __init__(
        self, *args: Any, audiences: list[Audience], meetings: list[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [(str(a.pk), audience_in_words(a)) for a in audiences]  # type: ignore[attr-defined]
        self.fields["meeting"].choices = [("", "No meeting")] + [  # type: ignore[attr-defined]
            (str(m.pk), f"{m.title}, {timezone.localtime(m.starts_at):%a %d %b %Y %H:%M} ({m.body.name})")
            for m in meetings or []
        ]


class PreviewAsForm(forms.Form):
    """Whose eyes to read a message through: someone it reaches, picked by name or membership number."""

    person = PersonField(
        scope="comms",
        label="Preview as",
        help_text="Type the name or membership number of someone this message goes to, then pick them. "
        "Your preview is recorded in their access log.",
    )


class SenderForm(forms.Form):
    reply_to = forms.EmailField(
        required=False,
        label="Replies go to",
        help_text="A shared address of the unit (for example secretary@yourbranch.example), not your own. "
        "Leave empty to use the address of the unit above.",
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(max_length=500)


class ConsentForm(forms.Form):
    purpose = forms.CharField(max_length=40)
    channel = forms.CharField(max_length=10)
    action = forms.ChoiceField(choices=[("given", "given"), ("withdrawn", "withdrawn")])


class NoticeRequestForm(forms.Form):
    body = forms.ChoiceField(label="Body")
    subject = forms.CharField(max_length=300)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Merge fields as for messages, e.g. {{ given_name }}.",
    )

    def __init__(self, *args: Any, bodies: list[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [(str(b.pk), f"{b.name} ({b.unit.name})") for b in bodies]  # type: ignore[attr-defined]


class OfficerConsentForm(forms.Form):
    purpose = forms.ChoiceField()
    channel = forms.ChoiceField(choices=[(c, c) for c in CHANNELS])
    action = forms.ChoiceField(choices=[("given", "Given"), ("withdrawn", "Withdrawn")])
    evidence = forms.CharField(
        max_length=1000, help_text="When and how the member told you, e.g. 'phone call on 3 May, 14:10'."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        refusable = [(k, p.label) for k, p in get_rulebook().purposes.items() if p.may_refuse]
        self.fields["purpose"].choices = refusable  # type: ignore[attr-defined]
