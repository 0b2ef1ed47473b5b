"""A person's typed words pass through the merge-field renderer exactly as typed, naming no field."""

from __future__ import annotations

import pytest

from polity.common.errors import InvalidInput
from polity.outbox.rendering import check_template, literal, merge_fields_used, render


def test_typed_braces_name_no_field_and_survive_rendering() -> None:
    typed = "I said {{ full_name }} and {{secret_link}} and {% if x %}"
    text = literal(typed)
    assert merge_fields_used(text) == set()
    # Without it, the unknown field would be refused when the dispatch is created.
    with pytest.raises(InvalidInput):
        check_template(subject="s", body=typed, context={})
    check_template(subject="s", body=text, context={})
    rendered = render(text, {"full_name": "Anna Green", "secret_link": "https://x"})
    assert "Anna Green" not in rendered and "https://x" not in rendered
    assert "full_name" in rendered and "secret_link" in rendered


def test_plain_text_is_unchanged() -> None:
    assert literal("Dear member, see you at 7 {pm}.") == "Dear member, see you at 7 {pm}."
