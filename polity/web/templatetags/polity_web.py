"""Small display filters of the web interface."""

from django import template

from polity.common.labels import audience_in_words, download_label, duration_words, merge_fields_as_words
from polity.common.labels import label as _label
from polity.common.labels import plain_rule as _plain_rule
from polity.web.selectors import office_label as _office_label

register = template.Library()


@register.filter
def pounds(pence: int) -> str:
    """1250 → "12.50"."""
    return f"{pence // 100:,}.{pence % 100:02d}"


@register.filter
def office_label(key: str) -> str:
    return _office_label(key)


@register.filter
def label(code: object) -> str:
    """A stored code in words (polity.common.labels): "direct_debit" → "Direct debit"."""
    return _label(code)


@register.filter
def merge_words(text: str) -> str:
    """Unfilled merge fields in words: "{{ meeting_title }}" → "[meeting title]"."""
    return merge_fields_as_words(text or "")


@register.filter
def plain_rule(text: object) -> str:
    """A rule or refusal without internal references ("invariant 3") or rule keys."""
    return _plain_rule(text)


@register.filter
def duration(text: object) -> str:
    """A rulebook duration in words: "7d" → "7 days"."""
    return duration_words(text)


@register.filter
def audience_words(audience: object) -> str:
    """A saved audience told apart from the others: name, who, unit, when made (polity.common.labels)."""
    return audience_in_words(audience)


@register.filter
def download_words(file_format: object) -> str:
    """What a link to an export's file says ("Download the CSV file")."""
    return download_label(file_format)
