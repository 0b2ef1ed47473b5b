"""A self-made SVG chart of a count: one row of bars per stage, the quota as a line.

Each candidate gets a fixed colour; elected candidates are outlined, excluded ones faded from the
stage they leave. No plotting library is used.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from polity.counting.result import CountResult

PALETTE = [
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
    "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#fdbf6f", "#8dd3c7", "#bc80bd", "#80b1d3",
]  # fmt: skip


def render_svg(result: CountResult, *, width: int = 900) -> str:
    """Stages top to bottom; within a stage, one horizontal bar per candidate."""
    names = [c for c in result.candidates if c not in result.withdrawn]
    colour = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
    top = max((Decimal(v) for s in result.stages for v in s.totals.values()), default=Decimal(1))
    quota = Decimal(result.quota) if result.quota else None
    scale_max = max(top, quota or Decimal(0), Decimal(1))
    label_w, bar_h, gap, head = 220, 12, 16, 60
    plot_w = width - label_w - 90
    block_h = len(names) * bar_h + gap + 18
    height = head + block_h * len(result.stages) + 30 + 18 * ((len(names) + 2) // 3)
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(result.title or 'Count')} ({escape(result.method)})</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">{escape(result.title or "Count")}</text>',
        f'<text x="10" y="40">{escape(result.method)}, {result.seats} seat(s); valid poll {result.valid_poll}'
        + (f"; quota {result.quota}" if result.quota else "")
        + f"; elected: {escape(', '.join(result.elected))}</text>",
    ]
    gone: set[str] = set()
    won: set[str] = set()
    for i, stage in enumerate(result.stages):
        won.update(stage.elected)  # outlined from the stage that elects them
        y0 = head + i * block_h
        out.append(
            f'<text x="10" y="{y0 + 12}" font-weight="bold">{stage.number}. {escape(stage.describe())}</text>'
        )
        for j, name in enumerate(names):
            y = y0 + 18 + j * bar_h
            value = Decimal(stage.totals.get(name, "0"))
            w = float(value / scale_max) * plot_w
            opacity = "0.25" if name in gone else "1"
            stroke = ' stroke="black" stroke-width="1"' if name in won else ""
            out.append(
                f'<text x="{label_w - 6}" y="{y + bar_h - 3}" text-anchor="end" opacity="{opacity}">'
                f"{escape(name)}</text>"
                f'<rect x="{label_w}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{colour[name]}" opacity="{opacity}"{stroke}/>'
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" opacity="{opacity}">{value}</text>'
            )
        if quota is not None:
            qx = label_w + float(quota / scale_max) * plot_w
            out.append(
                f'<line x1="{qx:.1f}" y1="{y0 + 16}" x2="{qx:.1f}" y2="{y0 + 18 + len(names) * bar_h}" '
                'stroke="black" stroke-dasharray="4 3"/>'
            )
        gone.update(stage.excluded)  # faded from the next stage
    out.append("</svg>")
    return "\n".join(out) + "\n"
