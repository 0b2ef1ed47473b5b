"""A bar chart per series, drawn on the server as SVG (no script, no style attribute: the page's CSP allows
neither). Each figure is a labelled bar; bars of one kind (counts, days, shares) share a scale. The table
beside the chart carries the same numbers for screen readers and copying."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from polity.transparency.figures import Shown, ShownSeries

WIDTH = 420
ROW = 40
BAR = 16
UNITS = {"count": "", "days": " days", "share": "%"}


def shown_value(figure: Shown, threshold: int) -> str:
    if figure.suppressed:
        return f"fewer than {threshold}"
    if figure.value is None:
        return "none to measure"
    if figure.kind == "count":
        return f"{int(figure.value):,}"
    return f"{figure.value}{UNITS[figure.kind]}"


def bar_chart(series: ShownSeries, threshold: int) -> SafeString:
    figures = series.figures
    if not any(f.value or f.suppressed for f in figures):
        return SafeString("")  # nothing to draw: the table says so
    top: dict[str, float] = {}
    for f in figures:
        if f.value is not None:
            top[f.kind] = max(top.get(f.kind, 0.0), float(f.value))
    rows = []
    for i, f in enumerate(figures):
        y = i * ROW
        scale = top.get(f.kind) or 1.0
        width = max(1, round((WIDTH - 130) * float(f.value) / scale)) if f.value else 0
        text = shown_value(f, threshold)
        rows.append((y + 14, f.category, y + 20, width, width + 6, y + 33, text))
    height = len(figures) * ROW
    body = format_html_join(
        "",
        '<text x="0" y="{}" class="chart-label">{}</text>'
        '<rect x="0" y="{}" width="{}" height="' + str(BAR) + '" class="chart-bar"></rect>'
        '<text x="{}" y="{}" class="chart-value">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="chart-{}">'
        '<title id="chart-{}">{}: a bar chart of the table beside it</title>{}</svg>',
        WIDTH,
        height,
        series.key.replace(".", "-"),
        series.key.replace(".", "-"),
        series.title,
        body,
    )
