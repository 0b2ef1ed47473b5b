"""The `polity` console script against a real database file: exit codes and output as an operator sees them."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from polity.common.tests.conftest import POLITY, ROOT


@pytest.fixture
def polity(shell_env):  # type: ignore[no-untyped-def]
    env = {**shell_env, "DJANGO_SUPERUSER_PASSWORD": "operator-password-e2e"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [*POLITY, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )

    return run


def test_token_and_audit_commands_from_the_shell(polity, tmp_path):
    made = polity("createsuperuser", "--noinput", "--username", "operator", "--email", "op@example.invalid")
    assert made.returncode == 0, made.stderr

    created = polity("token", "create", "operator", "--name", "e2e")
    assert created.returncode == 0, created.stderr
    token = (created.stderr + created.stdout).split()[-1]
    assert token.startswith("pol_") and created.stdout.strip() == token

    intact = polity("audit", "verify")  # token.create is event 1; the verdict becomes event 2
    assert intact.returncode == 0, intact.stderr
    assert "intact (1 events checked)" in intact.stdout

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute("UPDATE audit_event SET actor_label = 'someone else' WHERE seq = 2")
    tampered = polity("audit", "verify")
    assert tampered.returncode == 1
    assert "seq=2" in tampered.stderr
    assert "changed" in tampered.stderr


def test_permissions_doc_check_fails_from_the_shell_on_drift(tmp_path):
    out = tmp_path / "permissions.md"
    out.write_text("# Permissions\n\nedited by hand\n")
    drift = subprocess.run(  # noqa: S603
        [*POLITY, "permissions_doc", "--check", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert drift.returncode == 1
    assert "out of date" in drift.stderr
