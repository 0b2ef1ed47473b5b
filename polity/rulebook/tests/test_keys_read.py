"""Every number in the rulebook is read by the code, or reserved in the rulebook for a named module to come.

"Read" means: the key's full dotted name appears as a string literal in a module of the application
(parsed with `ast`, so comments and docstrings that merely mention it do not count) outside the rulebook
package itself (whose list of required keys would otherwise count) and outside tests.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from polity.rulebook.loader import RulebookError, load_rulebook

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "rulebook" / "demo.toml"


def _is_docstring(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    return isinstance(parent, ast.Expr)


@cache
def literals_in_code() -> frozenset[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or parts[0] == "rulebook":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and not _is_docstring(node, parents):
                found.add(node.value)
    return frozenset(found)


def _keys() -> tuple[list[str], dict[str, str]]:
    rulebook = load_rulebook(DEMO)
    return sorted({*rulebook.durations, *rulebook.numbers, *rulebook.flags}), rulebook.reserved


def test_the_scan_sees_keys_the_code_is_known_to_read():
    """Guards the guard: a scan that found nothing would pass the tests below trivially."""
    literals = literals_in_code()
    assert "membership.arrears_grace" in literals
    assert "cases.suspension_review_max" in literals
    assert "membership.min_length_to_hold_office" in literals
    assert "access.restriction_review_max" in literals
    # A mention in a docstring is not a read.
    assert "cases.suspension_review_grace" in literals  # a module constant, read through deadline_open
    assert len(literals) > 500


def test_every_rule_is_read_or_reserved_for_a_named_module():
    keys, reserved = _keys()
    literals = literals_in_code()
    unread = [key for key in keys if key not in literals and key not in reserved]
    assert unread == [], f"rulebook keys no code reads and none reserved: {unread}"


def test_no_reserved_key_is_read():
    _keys_, reserved = _keys()
    literals = literals_in_code()
    read = {key: module for key, module in reserved.items() if key in literals}
    assert read == {}, f"reserved keys that the code now reads (take them out of [reserved]): {read}"


def test_the_demo_reserves_the_keys_of_modules_to_come():
    _keys_, reserved = _keys()
    assert "membership.min_length_to_vote" not in reserved  # read by polity.elections
    assert "membership.min_length_to_stand" not in reserved


def test_reading_a_reserved_key_is_refused(tmp_path):
    # A rulebook of its own, so the test outlives the demo's reservations as modules come to read them.
    marked = tmp_path / "marked.toml"
    marked.write_text(
        DEMO.read_text().replace("[reserved]\n", '[reserved]\n"retention.closed_case" = "later"\n', 1)
    )
    rulebook = load_rulebook(marked)
    with pytest.raises(KeyError, match="reserves 'retention.closed_case' for the module 'later'"):
        rulebook.rule("retention.closed_case")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('"membership.no_such_rule" = "elections"', "does not have"),
        ('"membership.min_length_to_vote" = ""', "must name the module"),
        ('"membership.min_length_to_vote" = 3', "must name the module"),
    ],
)
def test_the_loader_checks_reserved_marks(tmp_path, line, reason):
    bad = tmp_path / "bad.toml"
    text = DEMO.read_text()
    # A line of its own in [reserved], so the test outlives the demo's reservations as modules read them.
    assert "[reserved]\n" in text
    bad.write_text(text.replace("[reserved]\n", f"[reserved]\n{line}\n", 1))
    with pytest.raises(RulebookError) as info:
        load_rulebook(bad)
    assert info.value.key.startswith("reserved.") and reason in info.value.reason
