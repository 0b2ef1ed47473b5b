"""Tracing a leaked excerpt to the export(s) it came from.

The excerpt is read as rows of cells, whatever its columns, order, case or spacing (`parse_excerpt`). Each
row gives keys (polity.exports.fingerprints); one indexed query finds every exported row that showed one of
its strong keys (email, phone, membership number, address), a second the name keys of rows with none.

- A row matching a **decoy** names its export for certain: decoys are unique to one export, and nobody
  outside the organisation could have made up its address or number.
- Rows matching only members are weighed across the exports holding them: an export is a candidate when it
  holds as many of the matched rows as any export does, and its probability is proportional to the chance
  that so many rows taken from its file hold none of its decoys (decision 0026); a large file with few
  decoys seen is likelier than a small one whose decoys should have shown.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from polity.exports.decoys import p_no_decoy
from polity.exports.fingerprints import STRONG, excerpt_keys
from polity.exports.models import Export, Key

CERTAIN = 0.999
_CHUNK = 900


def parse_excerpt(text: str) -> list[list[str]]:
    """Rows of cells from pasted or uploaded text: CSV, tab- or semicolon-separated, or columns lined up
    with spaces."""
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    if not lines:
        return []
    sample = "\n".join(lines[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        rows = list(csv.reader(io.StringIO("\n".join(lines)), dialect))
    except csv.Error:
        rows = [[cell for cell in line.split("  ") if cell.strip()] or [line] for line in lines]
    return [row for row in rows if any(cell.strip() for cell in row)]


@dataclass
class Candidate:
    export: Export
    probability: float
    rows: int  # excerpt rows this export holds
    decoys: int  # of them, its decoys
    certain: bool
    by_name_only: bool = False


@dataclass
class Attribution:
    rows_read: int
    rows_matched: int
    candidates: list[Candidate]
    members_in_excerpt: list[int]  # members whose rows the excerpt shows
    decoy_rows: int
    unmatched_rows: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def named(self) -> list[Candidate]:
        """The exports the excerpt most likely came from: every certain one, else the likeliest."""
        certain = [c for c in self.candidates if c.certain]
        return certain or self.candidates[:1]


def _hits(hashes: set[int]) -> dict[int, list[tuple[int, int | None, int | None]]]:
    """hash → [(export id, person id, decoy id)] for every exported row that showed it."""
    out: dict[int, list[tuple[int, int | None, int | None]]] = defaultdict(list)
    ordered = sorted(hashes)
    for i in range(0, len(ordered), _CHUNK):
        rows = Key.objects.filter(hash__in=ordered[i : i + _CHUNK]).values_list(
            "hash", "entry__export_id", "entry__person_id", "entry__decoy_id"
        )
        for h, export_id, person_id, decoy_id in rows:
            out[h].append((export_id, person_id, decoy_id))
    return out


def attribute(rows: list[list[str]]) -> Attribution:
    keyed = [list(excerpt_keys(row)) for row in rows]
    strong = _hits({h for keys in keyed for kind, h in keys if kind in STRONG})
    # rows with no strong match: try their names
    weak_wanted = {
        h
        for keys in keyed
        if not any(h in strong for kind, h in keys if kind in STRONG)
        for kind, h in keys
        if kind == "m"
    }
    weak = _hits(weak_wanted) if weak_wanted else {}

    per_export_rows: dict[int, set[int]] = defaultdict(set)
    per_export_decoys: dict[int, set[int]] = defaultdict(set)
    name_only_decoys: dict[int, set[int]] = defaultdict(set)
    members: set[int] = set()
    matched = 0
    decoy_rows = 0
    for i, keys in enumerate(keyed):
        found = [hit for kind, h in keys if kind in STRONG for hit in strong.get(h, ())]
        by_name = False
        if not found:
            found = [hit for kind, h in keys if kind == "m" for hit in weak.get(h, ())]
            by_name = True
        if not found:
            continue
        matched += 1
        row_has_member = any(person_id is not None for _e, person_id, _d in found)
        is_decoy_row = False
        for export_id, person_id, decoy_id in found:
            per_export_rows[export_id].add(i)
            if decoy_id is not None:
                if not by_name:
                    per_export_decoys[export_id].add(i)
                    is_decoy_row = True
                elif not row_has_member:  # a name only a decoy bore
                    name_only_decoys[export_id].add(i)
                    is_decoy_row = True
            elif person_id is not None and not by_name:
                members.add(person_id)
        decoy_rows += is_decoy_row
    notes: list[str] = []
    candidates = _weigh(per_export_rows, per_export_decoys, name_only_decoys)
    named = {c.export.pk for c in (c for c in candidates if c.certain)} or {
        c.export.pk for c in candidates[:1]
    }
    # members matched by name only count where they are in a named export
    for keys in keyed:
        if any(h in strong for kind, h in keys if kind in STRONG):
            continue
        for kind, h in keys:
            if kind == "m":
                members.update(p for e, p, _d in weak.get(h, ()) if p is not None and e in named)
    if matched and not any(c.certain for c in candidates):
        notes.append(
            "No decoy appears in the excerpt: the exports below are weighed by the members they hold."
        )
    return Attribution(
        rows_read=len(rows),
        rows_matched=matched,
        candidates=candidates,
        members_in_excerpt=sorted(members),
        decoy_rows=decoy_rows,
        unmatched_rows=len(rows) - matched,
        notes=notes,
    )


def _weigh(
    rows: dict[int, set[int]], decoys: dict[int, set[int]], name_decoys: dict[int, set[int]]
) -> list[Candidate]:
    if not rows:
        return []
    certain_ids = set(decoys) | set(name_decoys)
    covered = set().union(*(rows[e] for e in certain_ids)) if certain_ids else set()
    # Rows no certain export explains: weigh the other exports holding the most of them.
    rest = {e: r - covered for e, r in rows.items() if e not in certain_ids and r - covered}
    best = max((len(r) for r in rest.values()), default=0)
    likeliest = [e for e, r in rest.items() if len(r) == best]
    # Only the exports named are read (a member's rows may be in thousands of past exports).
    exports = Export.objects.in_bulk([*certain_ids, *likeliest])
    out: list[Candidate] = []
    for export_id in certain_ids:
        out.append(
            Candidate(
                exports[export_id],
                CERTAIN,
                len(rows[export_id]),
                len(decoys.get(export_id, set()) | name_decoys.get(export_id, set())),
                certain=True,
                by_name_only=export_id not in decoys,
            )
        )
    if likeliest:
        weights = {}
        for export_id in likeliest:
            export = exports[export_id]
            weights[export_id] = p_no_decoy(export.members, export.decoys, best)
        total = sum(weights.values())
        for export_id, weight in weights.items():
            probability = weight / total if total else 1 / len(weights)
            out.append(Candidate(exports[export_id], probability, len(rows[export_id]), 0, certain=False))
    out.sort(key=lambda c: (not c.certain, -c.probability, -c.rows, c.export.pk))
    return out
