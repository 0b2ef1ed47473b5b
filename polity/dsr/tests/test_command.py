"""`polity dsr package PERSON` for the DPO on the command line; `polity dsr retention`."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from polity.audit.models import Event


def test_the_package_of_one_person_on_the_command_line(org, tmp_path):
    out = io.StringIO()
    person = org.people["member"]
    pdf, archive = tmp_path / "p.pdf", tmp_path / "p.zip"
    call_command(
        "dsr", "package", person.membership_number, "--pdf", str(pdf), "--archive", str(archive), stdout=out
    )
    package = json.loads(out.getvalue())
    assert package["subject"].startswith("Mina Member")
    assert pdf.read_bytes().startswith(b"%PDF") and archive.stat().st_size > 0
    assert Event.objects.filter(verb="dsr.package_preview", subjects=str(person.pk)).exists()


def test_the_retention_job_on_the_command_line(org):
    out = io.StringIO()
    call_command("dsr", "retention", stdout=out)
    assert json.loads(out.getvalue())["people_anonymised"] == 0
