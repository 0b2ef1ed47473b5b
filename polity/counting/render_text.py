"""A readable stage-by-stage table of a count."""

from __future__ import annotations

from polity.counting.result import CountResult


def render_text(result: CountResult) -> str:
    """Candidates down the side, stages across, then who was elected and any lots drawn."""
    lines: list[str] = []
    title = f"{result.title} - " if result.title else ""
    lines.append(f"{title}{result.method}, {result.seats} seat(s)")
    lines.append(f"Valid poll: {result.valid_poll}" + (f"   Quota: {result.quota}" if result.quota else ""))
    lines.append(f"Lot seed: {result.seed}")
    if result.tie_break != "lot":
        lines.append(f"Ties after the rule's look-back: {result.tie_break}")
    for group in result.constraints:
        lines.append(f"At least {group.minimum} of {group.label}: " + ", ".join(sorted(group.members)))
    if result.withdrawn:
        lines.append("Withdrawn: " + ", ".join(result.withdrawn))
    lines.append("")
    names = [c for c in result.candidates if c not in result.withdrawn]
    name_width = max([len(n) for n in names] + [len("Non-transferable")])
    fate: dict[str, str] = {}
    for stage in result.stages:
        for c in stage.elected:
            fate.setdefault(c, f"elected at stage {stage.number}")
        for c in stage.excluded:
            fate.setdefault(c, f"excluded at stage {stage.number}")
    columns = [str(s.number) for s in result.stages]
    widths = [
        max(len(col), *(len(s.totals.get(n, "")) for n in names), len(s.non_transferable))
        for col, s in zip(columns, result.stages, strict=True)
    ]
    header = "Stage".ljust(name_width) + "".join(
        "  " + c.rjust(w) for c, w in zip(columns, widths, strict=True)
    )
    lines.append(header)
    lines.append("-" * len(header))
    for name in names:
        cells = "".join(
            "  " + s.totals.get(name, "").rjust(w) for s, w in zip(result.stages, widths, strict=True)
        )
        lines.append(name.ljust(name_width) + cells + (f"  {fate[name]}" if name in fate else ""))
    cells = "".join("  " + s.non_transferable.rjust(w) for s, w in zip(result.stages, widths, strict=True))
    lines.append("Non-transferable".ljust(name_width) + cells)
    lines.append("")
    quotas = {s.quota for s in result.stages}
    for stage in result.stages:
        tv = f" (transfer value {stage.transfer_value})" if stage.transfer_value else ""
        quota = f" (quota {stage.quota})" if len(quotas) > 1 and stage.quota else ""
        lines.append(f"Stage {stage.number}: {stage.describe()}{tv}{quota}")
        for note in stage.notes:
            lines.append(f"    {note}")
    lines.append("")
    lines.append("Elected: " + ", ".join(result.elected))
    for note in result.notes:
        lines.append(f"Lot: {note}")
    return "\n".join(lines) + "\n"
