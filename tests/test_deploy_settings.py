"""Production settings pass Django's deployment checks and refuse to start without their secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_check(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("POLITY_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_check(
        {
            "POLITY_ENV": "production",
            "POLITY_SECRET_KEY": "k" * 20 + "Zq9!xT#p0LmN4vB8rY2uW6sE1aD5fG7hJ3kQ",
            "POLITY_ALLOWED_HOSTS": "polity.example.org",
            "POLITY_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_check({"POLITY_ENV": "production", "POLITY_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "POLITY_SECRET_KEY" in result.stderr


def test_development_settings_are_flagged_by_check_deploy(tmp_path):
    result = run_check({"POLITY_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr
