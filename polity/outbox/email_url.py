"""Parse POLITY_EMAIL_URL. No Django import: config/settings.py uses it.

smtp://user:pass@host:587?starttls=1   SMTP, upgraded with STARTTLS
smtps://user:pass@host:465             SMTP over implicit TLS
smtp://127.0.0.1:1025                  the local mail catcher (the default)
memory://                              keep messages in memory (tests)
Query options: starttls=1, timeout=SECONDS, from=ADDRESS.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_EMAIL_URL = "smtp://127.0.0.1:1025"


@dataclass(frozen=True)
class EmailConfig:
    scheme: str
    host: str = ""
    port: int = 0
    username: str = ""
    password: str = ""
    use_ssl: bool = False
    use_starttls: bool = False
    timeout: float = 10.0
    sender: str = ""

    def mailers(self) -> dict[str, dict[str, object]]:
        """Django 6.1's MAILERS setting for the same server (Django's own mail, e.g. password reset)."""
        if self.scheme == "memory":
            return {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        options: dict[str, object] = {"host": self.host, "port": self.port, "timeout": self.timeout}
        if self.username:
            options["username"] = self.username
            options["password"] = self.password
        if self.use_ssl:
            options["use_ssl"] = True
        if self.use_starttls:
            options["use_tls"] = True
        return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}


def _flag(value: str) -> bool:
    return value.lower() in {"1", "true", "yes", "on"}


def parse_email_url(url: str) -> EmailConfig:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "memory":
        return EmailConfig(scheme="memory")
    if scheme not in {"smtp", "smtps"}:
        raise ValueError(f"POLITY_EMAIL_URL: unknown scheme {scheme!r} (use smtp, smtps or memory)")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    use_ssl = scheme == "smtps"
    return EmailConfig(
        scheme=scheme,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or (465 if use_ssl else 25),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_ssl=use_ssl,
        use_starttls=_flag(query.get("starttls", "0")),
        timeout=float(query.get("timeout", "10")),
        sender=query.get("from", ""),
    )
