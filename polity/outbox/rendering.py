"""Safe merge fields: `{{ name }}` replaced by plain values, nothing else evaluated.

Only the names in RECIPIENT_FIELDS and the dispatch's own context exist. An unknown name is refused when
the dispatch is created, so a typo never reaches a member as literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from polity.common.errors import InvalidInput

FIELD_RE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
RECIPIENT_FIELDS = frozenset({"first_name", "last_name", "full_name", "branch", "membership_number"})


def merge_fields_used(text: str) -> set[str]:
    return set(FIELD_RE.findall(text))


def check_template(*, subject: str, body: str, context: Mapping[str, str]) -> None:
    clash = RECIPIENT_FIELDS & set(context)
    if clash:
        raise InvalidInput(f"context may not redefine recipient fields: {', '.join(sorted(clash))}")
    unknown = (merge_fields_used(subject) | merge_fields_used(body)) - RECIPIENT_FIELDS - set(context)
    if unknown:
        raise InvalidInput(f"unknown merge fields: {', '.join(sorted(unknown))}")


def render(text: str, values: Mapping[str, str]) -> str:
    """Substitute fields; values are inserted verbatim (plain text) and never re-scanned for fields."""
    return FIELD_RE.sub(lambda m: str(values.get(m.group(1), "")), text)


def literal(text: str) -> str:
    """A person's words are never a template: break any merge-field or tag braces they typed, so that the
    text reaches the recipient as typed and names no field."""
    return text.replace("{{", "{ {").replace("}}", "} }").replace("{%", "{ %").replace("%}", "% }")


def one_line(text: str) -> str:
    """Header values (subjects) may not carry line breaks: they would start new headers."""
    return " ".join(text.split())


def recipient_values(
    *, given_name: str, family_name: str, membership_number: str, branch: str
) -> dict[str, str]:
    """The recipient fields of one person (the names in RECIPIENT_FIELDS), as delivery fills them."""
    return {
        "first_name": given_name,
        "last_name": family_name,
        "full_name": f"{given_name} {family_name}",
        "branch": branch or "",
        "membership_number": membership_number,
    }
