from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(sys.executable).parent / "polity"
POLITY = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "polity.cli"]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A SQLite file migrated once per session by the real `polity migrate`; tests take copies."""
    path = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": f"sqlite:///{path}"}
    done = subprocess.run(  # noqa: S603
        [*POLITY, "migrate", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def shell_env(tmp_path, migrated_sqlite):  # type: ignore[no-untyped-def]
    """Environment for running `polity` in a subprocess against a fresh copy of the migrated database."""
    db = tmp_path / "db.sqlite3"
    shutil.copy(migrated_sqlite, db)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{db}",
        "POLITY_VAR_DIR": str(tmp_path),
    }
