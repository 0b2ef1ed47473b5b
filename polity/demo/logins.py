"""The demo's named logins: accounts, deterministic second factors, and the file that lists them.

Every officer login gets a TOTP device whose secret and ten static backup codes derive from the seed,
so the demo works without a phone and a test can compute a valid code. None of this is secret: it is
a demo, and the password is printed too.
"""

from __future__ import annotations

import hashlib
from base64 import b32encode
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from polity.accounts.models import User
from polity.demo.offices import NamedRole

PASSWORD = "polity-demo"
OPERATOR = "operator"
BACKUP_CODES = 10
ISSUER = "Polity demo"


@dataclass
class DemoLogin:
    username: str
    full_name: str
    description: str
    totp_key_hex: str = ""
    backup_codes: list[str] = field(default_factory=list)

    @property
    def totp_secret(self) -> str:
        """The TOTP secret in base32, as authenticator apps want it."""
        return b32encode(bytes.fromhex(self.totp_key_hex)).decode() if self.totp_key_hex else ""

    @property
    def otpauth_uri(self) -> str:
        label = quote(f"{ISSUER}:{self.username}")
        return f"otpauth://totp/{label}?secret={self.totp_secret}&issuer={quote(ISSUER)}"


def _derive(seed: int, username: str, what: str) -> bytes:
    return hashlib.sha256(f"polity-demo:{seed}:{username}:{what}".encode()).digest()


def totp_key(seed: int, username: str) -> str:
    return _derive(seed, username, "totp")[:20].hex()


def backup_codes(seed: int, username: str) -> list[str]:
    return [_derive(seed, username, f"static:{i}").hex()[:8] for i in range(BACKUP_CODES)]


def create_logins(seed: int, roles: dict[str, NamedRole], people: dict[str, int]) -> list[DemoLogin]:
    from polity.members.models import Person

    persons = Person.objects.in_bulk(list(people.values()))
    hashed = make_password(PASSWORD)  # one slow hash for the shared demo password
    out = []
    for username, role in roles.items():
        person = persons[people[username]]
        user = User.objects.create_user(
            username=username,
            password=None,
            person=person,
            first_name=person.given_name,
            last_name=person.family_name,
            email=person.email,
        )
        user.password = hashed
        user.save(update_fields=["password"])
        login = DemoLogin(username, person.full_name, role.description)
        if role.office:
            _second_factor(seed, user, login)
        out.append(login)
    # An operator (a superuser, on no register): the one demo login that may read the mail catcher.
    user = User.objects.create_superuser(OPERATOR, email="", password=None)
    user.password = hashed
    user.save(update_fields=["password"])
    login = DemoLogin(OPERATOR, "Operator", "operator of the installation: reads the mail catcher")
    _second_factor(seed, user, login)
    out.append(login)
    return out


def _second_factor(seed: int, user: User, login: DemoLogin) -> None:
    login.totp_key_hex = totp_key(seed, login.username)
    login.backup_codes = backup_codes(seed, login.username)
    TOTPDevice.objects.create(user=user, name="Authenticator", key=login.totp_key_hex, confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in login.backup_codes])


def logins_text(logins: list[DemoLogin], *, seed: int, site: str) -> str:
    """The demo logins file; `site` is the address the demo is served at (settings.POLITY_BASE_URL)."""
    lines = [
        f"Polity demo logins (seed {seed}); every password is: {PASSWORD}",
        f"Sign in at {site}accounts/login/ . Officers need a second factor: add the TOTP secret to an",
        "authenticator app, or type one of the backup codes (each works once).",
        "",
    ]
    for login in logins:
        lines.append(f"{login.username:<10} {login.full_name} — {login.description}")
        if login.totp_key_hex:
            lines.append(f"{'':<10} TOTP secret: {login.totp_secret}")
            lines.append(f"{'':<10} backup codes: {' '.join(login.backup_codes)}")
    return "\n".join(lines) + "\n"


def write_logins_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
