from pathlib import Path

import pytest

from polity.rulebook.loader import RulebookError, load_rulebook

DEMO = Path(__file__).resolve().parents[2] / "rulebook" / "demo.toml"


def test_demo_purposes():
    rb = load_rulebook(DEMO)
    assert rb.purpose("governance").consent == "none" and rb.purpose("governance").body_only
    assert rb.purpose("statutory").consent == "none"
    assert rb.purpose("service").consent == "opt_out"
    for key in ("campaigning", "fundraising"):
        purpose = rb.purpose(key)
        assert purpose.basis == "consent" and purpose.consent == "required" and purpose.needs_approval
        assert set(purpose.channels) == {"email", "sms", "phone", "post"}
    assert rb.number("comms.approval_threshold") > 0
    assert rb.rule("comms.approval_deadline").key == "comms.approval_deadline"


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [
        ('basis = "legal_obligation"', 'basis = "whim"', "purposes.statutory.basis", "must be one of"),
        (
            'consent = "opt_out"',
            'consent = "required"',
            "purposes.service.consent",
            'exactly when its basis is "consent"',
        ),
        (
            'channels = ["email", "post"]',
            'channels = ["email", "pigeon"]',
            "purposes.statutory.channels",
            "unknown channel",
        ),
        (
            "body_only = true",
            "body_only = true\nneeds_approval = true",
            "purposes.governance.needs_approval",
            "never wait for approval",
        ),
        ("body_only = true", 'body_only = "yes"', "purposes.governance.body_only", "true or false"),
        ("body_only = true", "body_only = true\nsecret = 1", "purposes.governance.secret", "not a purpose"),
    ],
)
def test_bad_purposes_name_file_key_and_reason(tmp_path, old, new, key, reason):
    text = DEMO.read_text()
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1))
    with pytest.raises(RulebookError) as info:
        load_rulebook(bad)
    assert info.value.key == key
    assert reason in info.value.reason
    assert str(bad) in str(info.value)
