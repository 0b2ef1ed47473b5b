"""Background work of accounts (django.tasks; `polity worker` runs it): sending password reset links."""

from __future__ import annotations

from django.tasks import task

from polity.accounts.reset import reset_links_send


@task()
def password_reset_send(user_ids: list[int], domain: str, use_https: bool, site_name: str) -> int:
    """Send the reset links of these accounts (none: nothing to send)."""
    return reset_links_send(user_ids=user_ids, domain=domain, use_https=use_https, site_name=site_name)
