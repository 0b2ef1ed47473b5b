"""STORAGES and CACHES from the environment: a shared folder by default, S3-compatible object storage on
request; in production a cache every web process shares."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.file_storage import FILESYSTEM, S3, STATIC_DEVELOPMENT, STATIC_PRODUCTION, storages_from_env


def test_default_is_the_filesystem_under_the_media_root() -> None:
    storages = storages_from_env({}, production=True)
    assert storages["default"] == {"BACKEND": FILESYSTEM}  # at MEDIA_ROOT (POLITY_MEDIA_ROOT)
    assert storages["staticfiles"] == {"BACKEND": STATIC_PRODUCTION}


def test_development_serves_static_files_without_a_manifest() -> None:
    storages = storages_from_env({"POLITY_FILE_STORAGE": "filesystem"}, production=False)
    assert storages["staticfiles"] == {"BACKEND": STATIC_DEVELOPMENT}


def test_s3_is_private_never_overwrites_and_takes_an_endpoint() -> None:
    env = {
        "POLITY_FILE_STORAGE": "S3",
        "POLITY_S3_BUCKET": "party-evidence",
        "POLITY_S3_ENDPOINT_URL": "https://objects.example.org",
        "POLITY_S3_REGION": "eu-west-2",
        "POLITY_S3_PREFIX": "/polity/",
    }
    default = storages_from_env(env, production=True)["default"]
    assert default["BACKEND"] == S3
    options = default["OPTIONS"]
    assert options["bucket_name"] == "party-evidence"
    assert options["endpoint_url"] == "https://objects.example.org"
    assert options["region_name"] == "eu-west-2"
    assert options["location"] == "polity"
    assert options["default_acl"] is None
    assert options["file_overwrite"] is False
    assert options["querystring_auth"] is True


def test_s3_without_a_bucket_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="POLITY_S3_BUCKET"):
        storages_from_env({"POLITY_FILE_STORAGE": "s3"}, production=True)


def test_an_unknown_storage_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="'filesystem' or 's3'"):
        storages_from_env({"POLITY_FILE_STORAGE": "ftp"}, production=True)


def test_the_media_root_comes_from_the_environment(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "POLITY_MEDIA_ROOT": str(tmp_path / "volume"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    code = "from django.core.files.storage import default_storage as s; print(s.location)"
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == str(tmp_path / "volume")


def test_production_shares_its_cache_through_the_database(tmp_path: Path) -> None:
    """The sign-in throttle counts in the cache: with several web processes it must be one they share."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("POLITY_")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "POLITY_ENV": "production",
        "POLITY_SECRET_KEY": "s" * 60,
        "POLITY_VAR_DIR": str(tmp_path),
    }
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION'))"
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.split() == ["django.core.cache.backends.db.DatabaseCache", "polity_cache"]


def test_migrations_create_the_cache_table(db) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    assert "polity_cache" in connection.introspection.table_names()
