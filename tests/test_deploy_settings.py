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


def settings_value(name: str, env_extra: dict[str, str]) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("POLITY_") and k not in ("DJANGO_SETTINGS_MODULE", "PORT")
    }
    env.update(env_extra)
    code = f"import config.settings as s; print(s.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_links_in_mail_name_the_port_served():
    """Unsubscribe and notice links, and the demo logins file, follow PORT (as `make run` sets it)."""
    assert settings_value("POLITY_BASE_URL", {"PORT": "8123"}) == "http://127.0.0.1:8123"
    assert settings_value("POLITY_BASE_URL", {}) == "http://127.0.0.1:8000"
    given = {"PORT": "8123", "POLITY_BASE_URL": "https://members.example.org/"}
    assert settings_value("POLITY_BASE_URL", given) == "https://members.example.org"
