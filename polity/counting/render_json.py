"""JSON for machines: method, seats, quota, elected in order and every stage with exact decimal strings."""

from __future__ import annotations

import json
from typing import Any

from polity.counting.result import CountResult


def result_to_dict(result: CountResult) -> dict[str, Any]:
    """A plain dictionary of the count (all numbers as decimal strings at the rule's precision)."""
    return {
        "title": result.title,
        "method": result.method,
        "seats": result.seats,
        "seed": result.seed,
        "precision": result.precision,
        "valid_poll": result.valid_poll,
        "quota": result.quota,
        "candidates": list(result.candidates),
        "withdrawn": list(result.withdrawn),
        "elected": list(result.elected),
        "lots": list(result.notes),
        "tie_break": result.tie_break,
        "constraints": [
            {"label": g.label, "minimum": g.minimum, "members": sorted(g.members)} for g in result.constraints
        ],
        "stages": [
            {
                "number": s.number,
                "action": s.action,
                "description": s.describe(),
                "subject": list(s.subject),
                "transfer_value": s.transfer_value,
                "quota": s.quota,
                "totals": s.totals,
                "non_transferable": s.non_transferable,
                "exhausted": s.exhausted,
                "elected": list(s.elected),
                "excluded": list(s.excluded),
                "notes": list(s.notes),
            }
            for s in result.stages
        ],
    }


def render_json(result: CountResult) -> str:
    """The count as indented JSON text."""
    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"
