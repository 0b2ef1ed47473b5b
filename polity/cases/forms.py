"""Forms of the case pages. Each workflow action's form fields are listed once, here, for the templates."""

from __future__ import annotations

from django import forms

from polity.cases.models import AppealOutcome, Outcome

ACTION_FIELDS: dict[str, list[tuple[str, str, str, list[tuple[str, str]]]]] = {
    # action: [(name, label, input type, choices)]
    "triage": [("reasons", "Reasons for the triage decision", "textarea", [])],
    "dismiss": [("reasons", "Reasons for dismissing", "textarea", [])],
    "add_party": [
        ("person", "Person (id on the register)", "number", []),
        (
            "role",
            "Role",
            "select",
            [("respondent", "Respondent"), ("witness", "Witness"), ("complainant", "Complainant")],
        ),
    ],
    "link": [("case", "Other case (id)", "number", []), ("reason", "Why they are linked", "text", [])],
    "assign_investigator": [("person", "Investigator (id on the register)", "number", [])],
    "add_evidence": [("file", "File", "file", []), ("description", "What it is", "text", [])],
    "send_notice": [("allegations", "The allegations, as the respondent will read them", "textarea", [])],
    "reply": [("text", "Your reply", "textarea", [])],
    "schedule_hearing": [
        ("at", "Date and time", "datetime-local", []),
        ("details", "Place and details", "textarea", []),
    ],
    "assign_panel": [("members", "Panel members (ids, separated by commas)", "text", [])],
    "assign_appeal_panel": [("members", "Appeal panel members (ids, separated by commas)", "text", [])],
    "decide": [
        (
            "outcome",
            "Outcome",
            "select",
            [(v, label) for v, label in Outcome.choices if v != Outcome.NO_CASE],
        ),
        ("reasons", "Written reasons", "textarea", []),
        ("review_at", "Review date (for a suspension)", "datetime-local", []),
    ],
    "appeal": [("grounds", "Grounds of appeal", "textarea", [])],
    "decide_appeal": [
        ("outcome", "Outcome", "select", list(AppealOutcome.choices)),
        ("reasons", "Written reasons", "textarea", []),
    ],
    "suspend": [
        ("person", "Respondent (id on the register)", "number", []),
        ("reasons", "Reasons", "textarea", []),
        ("review_at", "Review date", "datetime-local", []),
    ],
    "review_suspension": [
        ("suspension", "Suspension (id)", "number", []),
        ("reasons", "Reasons", "textarea", []),
        ("lift", "Lift the suspension", "checkbox", []),
        ("next_review_at", "Next review date (if kept)", "datetime-local", []),
    ],
    "record_delivery": [
        ("notice", "Notice (id)", "number", []),
        ("how", "How and when it was delivered", "text", []),
    ],
}


class ComplaintForm(forms.Form):
    summary = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
        help_text="Who was involved, when and where, and what you would like to happen.",
    )
    file = forms.FileField(label="Evidence (optional)", required=False)
    evidence_description = forms.CharField(label="What the evidence is", required=False, max_length=300)


class PublicComplaintForm(forms.Form):
    sender_name = forms.CharField(label="Your name", max_length=200)
    sender_email = forms.EmailField(label="Your email address", help_text="We send a link to confirm it.")
    unit = forms.TypedChoiceField(label="Which part of the party is it about", coerce=int)
    summary = forms.CharField(
        label="What happened", widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000
    )

    def __init__(self, *args: object, units: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
