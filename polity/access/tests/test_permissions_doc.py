"""`polity permissions_doc`: generated from the Perm enum and the rulebook; --check fails on drift."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from polity.access.perms import DESCRIPTIONS, Perm
from polity.rulebook.loader import get_rulebook


def generate(tmp_path: Path, *extra: str) -> str:
    out = tmp_path / "permissions.md"
    call_command("permissions_doc", "--output", str(out), *extra, stdout=io.StringIO(), stderr=io.StringIO())
    return out.read_text()


def test_lists_every_permission_with_its_description(tmp_path):
    text = generate(tmp_path)
    for perm in Perm:
        assert f"| `{perm.value}` | {DESCRIPTIONS[perm]} |" in text


def test_every_permission_has_a_description():
    assert set(DESCRIPTIONS) == set(Perm)


def test_lists_every_office_with_exactly_its_permissions(tmp_path):
    text = generate(tmp_path)
    for office in get_rulebook().offices.values():
        row = next(line for line in text.splitlines() if f"| `{office.key}` |" in line)
        for perm in Perm:
            assert (f"`{perm.value}`" in row) == (perm in office.permissions), (office.key, perm)


def test_check_passes_on_a_fresh_file_and_fails_on_drift(tmp_path):
    generate(tmp_path)
    generate(tmp_path, "--check")
    path = tmp_path / "permissions.md"
    path.write_text(path.read_text().replace("members.view_contact", "members.view_everything", 1))
    with pytest.raises(CommandError) as caught:
        generate(tmp_path, "--check")
    assert caught.value.returncode == 1
    assert "out of date" in str(caught.value)


def test_check_fails_when_the_file_is_missing(tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "permissions_doc", "--check", "--output", str(tmp_path / "nope.md"), stderr=io.StringIO()
        )


def test_a_changed_rulebook_changes_the_document(tmp_path):
    rulebook = Path(settings.POLITY_RULEBOOK).read_text()
    changed = tmp_path / "rulebook.toml"
    changed.write_text(
        rulebook + '\n[offices.auditor]\nlabel = "Internal auditor"\nlevels = ["national"]\n'
        'permissions = ["audit.view"]\n'
    )
    text = generate(tmp_path, "--rulebook", str(changed))
    assert "| Internal auditor | `auditor` | national | `audit.view` |" in text


def test_the_committed_document_is_current():
    """docs/permissions.md must be regenerated whenever a permission or an office changes."""
    call_command("permissions_doc", "--check", stdout=io.StringIO(), stderr=io.StringIO())
