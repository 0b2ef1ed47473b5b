"""My API tokens: create one (shown once), see their prefixes and last use, revoke one.

Under the two-factor middleware: an account that can see other people's data reaches this page only
from a session that passed its second factor, which is what makes a token it creates trustworthy.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from polity.access.policy import needs_second_factor
from polity.accounts.tokens import token_create, token_list, token_revoke
from polity.web.views.common import actor_of, web_view


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?",
        max_length=100,
        help_text="A name you will recognise, such as the script or computer that uses it.",
    )


@never_cache
@web_view
def tokens(request: HttpRequest) -> HttpResponse:
    """List my tokens; on POST create one and show it this once."""
    actor = actor_of(request)
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        _token, created = token_create(
            actor=actor,
            user=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            session_verified=request.user.is_verified(),  # type: ignore[union-attr]
        )
        form = TokenForm()
    context = {
        "tokens": token_list(actor=actor, user=request.user),  # type: ignore[arg-type]
        "form": form,
        "created": created,
        "needs_second_factor": needs_second_factor(actor),
    }
    return render(request, "web/tokens.html", context, status=422 if form.errors else 200)


@web_view
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = token_revoke(actor=actor_of(request), token_id=token_id, reason="revoked by its owner")
    messages.success(request, f"Token {token.prefix}… revoked: it no longer works.")
    return redirect("web:tokens")
