"""Template context for every page: which parts of the site the signed-in person may use (for the nav)."""

from __future__ import annotations

import functools

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from polity.access.perms import Perm
from polity.access.policy import is_operator, may_request_notice
from polity.web.selectors import held_perms


def nav(request: HttpRequest) -> dict[str, object]:
    """Computed only when a template asks, from the same per-request actor the views use."""

    def links() -> dict[str, bool]:
        from polity.web.views.common import actor_of

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return {}
        verified = getattr(user, "is_verified", lambda: False)()
        actor = actor_of(request)
        held = held_perms(actor)
        return {
            "me": user.person_id is not None,
            "members": Perm.MEMBERS_VIEW in held,
            "messages": bool({Perm.MESSAGES_SEND, Perm.MESSAGES_APPROVE} & held),
            # Any officer of a unit (a chair, a treasurer) may ask the region to send its governance notices.
            "notices": may_request_notice(actor),
            "units": Perm.UNITS_VIEW in held,
            "grants": Perm.GRANTS_MANAGE in held,
            "audit": Perm.AUDIT_VIEW in held,
            "dsr": Perm.DSR_HANDLE in held,
            "case_queue": Perm.CASES_HANDLE in held,
            "deadlines": Perm.DEADLINES_VIEW in held,
            "exports": bool({Perm.EXPORTS_MAKE, Perm.EXPORTS_APPROVE, Perm.EXPORTS_ATTRIBUTE} & held),
            "verified": bool(verified),
            "operator": is_operator(actor),
        }

    return {"nav": SimpleLazyObject(links), "site_urls": _site_urls(get_script_prefix())}


# The addresses every page's header and footer link to: reversed once per process (and script prefix), not a
# dozen `{% url %}` on every page. A name here is a name in base.html, e.g. "web:home" -> site_urls.web_home.
SITE_URLS = (
    "web:home", "web:me", "meetings:mine", "dsr:my_data", "cases:home", "selections:home", "elections:home",
    "web:members", "web:units", "web:grants", "comms:messages", "comms:notice_request", "dsr:queue",
    "exports:home", "web:audit", "outbox:caught_list", "web:enrolment_code", "accounts:security",
    "accounts:logout", "transparency:page",
)  # fmt: skip


@functools.cache
def _site_urls(prefix: str) -> dict[str, str]:
    return {name.replace(":", "_"): reverse(name) for name in SITE_URLS}
