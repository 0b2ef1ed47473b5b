"""What the accounts app holds about a person (polity/dsr/registry.py): the sign-in account."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from polity.accounts.models import ApiToken, EnrolmentCode, User
from polity.dsr.registry import Holding, Record, Subject, register


def _account(subject: Subject) -> Iterator[Record]:
    if subject.person is None:
        return
    for user in User.objects.filter(person_id=subject.person.pk):
        yield Record(
            kind="Sign-in account",
            ref=f"user:{user.pk}",
            at=user.date_joined,
            fields={
                "User name": user.username,
                "Email": user.email,
                "Created": user.date_joined,
                "Last signed in": user.last_login,
                "Active": user.is_active,
            },
        )
        for token in ApiToken.objects.filter(user=user):
            yield Record(
                kind="API token",
                ref=f"token:{token.pk}",
                at=token.created_at,
                fields={
                    "Name": token.name,
                    "Starts with": token.prefix,
                    "Created": token.created_at,
                    "Last used": token.last_used_at,
                    "Revoked": token.revoked_at,
                },
            )
        for code in EnrolmentCode.objects.filter(user=user):
            yield Record(
                kind="Enrolment code for a second factor",
                ref=f"enrolment:{code.pk}",
                at=code.created_at,
                fields={"Issued": code.created_at, "Expires": code.expires_at, "Used": code.used_at},
            )


def _erase(person_ids: list[int], emails: list[str]) -> int:
    """Close the accounts: no sign-in, no tokens, no codes, no name or address."""
    users = User.objects.filter(person_id__in=person_ids)
    ApiToken.objects.filter(user__in=users).delete()
    EnrolmentCode.objects.filter(user__in=users).delete()
    return users.update(
        is_active=False,
        email="",
        first_name="",
        last_name="",
        password="!",
        username=Concat(Value("erased-"), Cast("pk", output_field=CharField())),
    )


register(
    Holding(
        key="accounts.account",
        title="Your sign-in account",
        data="User name, email, when you signed in, API tokens (never the token itself) and second-factor codes "
        "(never the code itself)",
        purposes=("Letting you sign in and keeping the account secure",),
        lawful_basis="contract",
        recipients="No one: operators of the installation see that the account exists",
        retention="While you have an account; removed on erasure",
        source="You and the operators who set up your account",
        models=(User, ApiToken, EnrolmentCode),
        records=_account,
        erase=_erase,
        order=15,
    )
)
