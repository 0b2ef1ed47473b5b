"""Small display filters of the web interface."""

from django import template

from polity.web.selectors import office_label as _office_label

register = template.Library()


@register.filter
def pounds(pence: int) -> str:
    """1250 → "12.50"."""
    return f"{pence // 100:,}.{pence % 100:02d}"


@register.filter
def office_label(key: str) -> str:
    return _office_label(key)
