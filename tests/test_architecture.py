"""Interfaces stay thin: views, API handlers, tasks and commands never touch the ORM's write paths directly.

They parse, call one selector or service, and render. A forgotten scope check is a security bug, so the
only way to data is through code that asks `polity.access`.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "polity"
INTERFACE_FILES = sorted(
    [p for p in ROOT.rglob("views.py")]
    + [p for p in ROOT.rglob("views/*.py")]
    + [p for p in ROOT.rglob("api.py")]
    + [p for p in ROOT.rglob("api/*.py")]
    + [p for p in ROOT.rglob("tasks.py")]
    + [p for p in ROOT.rglob("management/commands/*.py")]
)


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "save", "delete"}:
            found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: .{node.attr}")
        if isinstance(node, ast.Name) and node.id == "transaction":
            found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: transaction")
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "django.db"
            and any(a.name == "transaction" for a in node.names)
        ):
            found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: imports transaction")
    return found


def test_interfaces_do_not_touch_the_orm_directly():
    assert INTERFACE_FILES, "no interface modules found: the glob patterns are wrong"
    problems = [o for path in INTERFACE_FILES for o in offences(path)]
    assert problems == [], "interfaces must call selectors and services:\n" + "\n".join(problems)


def test_the_check_catches_an_offence(tmp_path):
    bad = ROOT / "_architecture_probe_views.py"
    try:
        bad.write_text(
            "from polity.members.models import Person\n\ndef v(r):\n    return Person.objects.all()\n"
        )
        assert offences(bad) == ["polity/_architecture_probe_views.py:4: .objects"]
    finally:
        bad.unlink()
