"""The columns an export may hold (the rulebook says which each purpose may take), with their headings and
how a member's or a decoy's row fills them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from polity.common.labels import label

# column key → the headings it writes (the address is three cells)
HEADINGS: dict[str, tuple[str, ...]] = {
    "name": ("Given name", "Family name"),
    "membership_number": ("Membership number",),
    "branch": ("Branch",),
    "status": ("Status",),
    "joined_on": ("Joined",),
    "email": ("Email",),
    "phone": ("Phone",),
    "address": ("Address", "Town", "Postcode"),
}
WORDS = {
    "name": "name",
    "membership_number": "membership number",
    "branch": "branch",
    "status": "membership status",
    "joined_on": "date joined",
    "email": "email address",
    "phone": "phone number",
    "address": "postal address",
}
# The channel a contact column is for: consent for it is checked as at the time the file is made.
CHANNEL_OF = {"email": "email", "phone": "phone", "address": "post"}
# The Person fields a file's rows need, per column.
PERSON_FIELDS = {
    "name": ("given_name", "family_name"),
    "membership_number": ("membership_number",),
    "branch": ("home_unit_id",),
    "status": ("status",),
    "joined_on": ("joined_on",),
    "email": ("email",),
    "phone": ("phone",),
    "address": ("address_line", "town", "postcode"),
}


class Row(NamedTuple):
    """One row of a file, whoever it is about: the values, and what attribution indexes of them. (A named
    tuple: a file has one per row, and it is made four times faster than a frozen dataclass.)"""

    given_name: str
    family_name: str
    values: dict[str, Any]
    person_id: int | None = None
    decoy_index: int | None = None

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.family_name.casefold(), self.given_name.casefold())


def headings(columns: list[str]) -> list[str]:
    return [h for c in columns for h in HEADINGS[c]]


def cells(row: Row, columns: list[str]) -> list[str]:
    out: list[str] = []
    v = row.values
    for c in columns:
        if c == "name":
            out += [row.given_name, row.family_name]
        elif c == "address":
            out += [v.get("address_line", ""), v.get("town", ""), v.get("postcode", "")]
        elif c == "status":
            out.append(str(label(v.get("status", ""))) if v.get("status") else "")
        elif c == "joined_on":
            out.append(v["joined_on"].isoformat() if v.get("joined_on") else "")
        else:
            out.append(str(v.get(c, "") or ""))
    return out


def keys_of(row: Row, columns: list[str]) -> list[tuple[str, int]]:
    from polity.exports.fingerprints import row_keys

    v = row.values
    return row_keys(
        name=(row.given_name, row.family_name) if "name" in columns else None,
        email=v.get("email", "") if "email" in columns else "",
        phone=v.get("phone", "") if "phone" in columns else "",
        number=v.get("membership_number", "") if "membership_number" in columns else "",
        address=v.get("address_line", "") if "address" in columns else "",
    )


def hasher(columns: list[str]) -> Callable[[Row], list[int]]:
    """`keys_of` for every row of one file, hashes only (what the attribution index stores)."""
    from polity.exports.fingerprints import row_hasher

    hashes = row_hasher(
        name="name" in columns,
        email="email" in columns,
        phone="phone" in columns,
        number="membership_number" in columns,
        address="address" in columns,
    )

    def of(row: Row) -> list[int]:
        v = row.values
        return hashes(
            row.given_name,
            row.family_name,
            v.get("email", ""),
            v.get("phone", ""),
            v.get("membership_number", ""),
            v.get("address_line", ""),
        )

    return of
