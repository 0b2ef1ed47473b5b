"""Django's STORAGES from the environment (docs/deployment.md).

Uploaded files (case evidence) go to the "default" storage; every web server and worker must see the same
one. Two choices:

- ``POLITY_FILE_STORAGE=filesystem`` (the default): files under ``POLITY_MEDIA_ROOT`` (default
  ``var/media``). With more than one machine, that folder is a shared volume (NFS, a shared disk).
- ``POLITY_FILE_STORAGE=s3``: an S3-compatible object store through django-storages (install the project
  with its ``s3`` extra). ``POLITY_S3_BUCKET`` is required; ``POLITY_S3_ENDPOINT_URL`` (MinIO, Garage,
  Ceph, a cloud other than AWS), ``POLITY_S3_REGION`` and ``POLITY_S3_PREFIX`` are optional. Credentials
  come the way boto3 finds them (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, an instance role...).
  Objects are private (no ACL), never overwritten, and always downloaded through Polity, which checks
  permission and records the read; the bucket must not be public.

Static files are collected into ``POLITY_STATIC_ROOT`` by ``polity collectstatic`` and served by WhiteNoise
from every web process: with hashed, compressed names in production, straight from the apps otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"
STATIC_PRODUCTION = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STATIC_DEVELOPMENT = "django.contrib.staticfiles.storage.StaticFilesStorage"


def storages_from_env(env: Mapping[str, str], *, production: bool) -> dict[str, Any]:
    kind = env.get("POLITY_FILE_STORAGE", "filesystem").strip().lower()
    default: dict[str, Any]
    if kind == "filesystem":
        default = {"BACKEND": FILESYSTEM}  # at MEDIA_ROOT, read when used (so tests can move it)
    elif kind == "s3":
        bucket = env.get("POLITY_S3_BUCKET", "")
        if not bucket:
            raise ImproperlyConfigured("POLITY_FILE_STORAGE=s3 needs POLITY_S3_BUCKET")
        options: dict[str, Any] = {
            "bucket_name": bucket,
            "location": env.get("POLITY_S3_PREFIX", "").strip("/"),
            "default_acl": None,  # private: the bucket's own policy, never public-read
            "file_overwrite": False,  # a second file of the same name gets a new name, as on disk
            "querystring_auth": True,  # any URL handed out is signed and expires
            "object_parameters": {"ContentDisposition": "attachment"},
        }
        if env.get("POLITY_S3_ENDPOINT_URL"):
            options["endpoint_url"] = env["POLITY_S3_ENDPOINT_URL"]
        if env.get("POLITY_S3_REGION"):
            options["region_name"] = env["POLITY_S3_REGION"]
        default = {"BACKEND": S3, "OPTIONS": options}
    else:
        raise ImproperlyConfigured(f"POLITY_FILE_STORAGE must be 'filesystem' or 's3', not {kind!r}")
    static = STATIC_PRODUCTION if production else STATIC_DEVELOPMENT
    return {"default": default, "staticfiles": {"BACKEND": static}}
