"""The fixed list of reasons a piece of the access package may be withheld. Nothing is withheld without one
of them; each withheld piece names its reason in the package, with the law behind it."""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    # key: (short words shown in place of the text, the reason in full)
    "third_party": (
        "another person's data",
        "It is another person's personal data and they have not agreed to its disclosure (UK GDPR Article "
        "15(4); Data Protection Act 2018, Schedule 2, paragraph 16).",
    ),
    "witness": (
        "a witness's identity",
        "It would identify a witness who gave information in confidence (Data Protection Act 2018, "
        "Schedule 2, paragraph 16).",
    ),
    "confidential_reference": (
        "a confidential reference",
        "It is a reference given in confidence (Data Protection Act 2018, Schedule 2, paragraph 24).",
    ),
    "legal_privilege": (
        "legal advice",
        "It is covered by legal professional privilege (Data Protection Act 2018, Schedule 2, paragraph 19).",
    ),
    "crime": (
        "crime prevention",
        "Disclosing it would be likely to prejudice the prevention or detection of crime (Data Protection Act "
        "2018, Schedule 2, paragraph 2).",
    ),
    "negotiations": (
        "negotiations with you",
        "It records our intentions in negotiations with you (Data Protection Act 2018, Schedule 2, paragraph 23).",
    ),
    "management_forecast": (
        "management planning",
        "It is management forecasting or planning whose disclosure would prejudice the organisation (Data "
        "Protection Act 2018, Schedule 2, paragraph 22).",
    ),
}


def short(reason: str) -> str:
    return REASONS[reason][0]


def in_full(reason: str) -> str:
    return REASONS[reason][1]


def choices() -> list[tuple[str, str]]:
    return [(key, words[0].capitalize()) for key, words in REASONS.items()]
