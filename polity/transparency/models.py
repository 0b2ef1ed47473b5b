"""Frozen quarterly reports: the figures of a unit's quarter as published. A published version never changes;
a correction is a new version that states its difference from the one before."""

from __future__ import annotations

from typing import Any

from django.db import models

from polity.org.models import Unit


class FrozenReport(Exception):
    """A published report was about to be changed or deleted."""


class QuarterlyReport(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="quarterly_reports")
    quarter = models.CharField(max_length=6)
    version = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField()
    published_by = models.CharField(max_length=150)
    rulebook_version = models.CharField(max_length=40)
    suppress_below = models.PositiveIntegerField()
    # Statistics.as_dict() as published: counts and averages only, small counts already suppressed.
    figures = models.JSONField()
    # For a correction: each figure that differs from the version before (series, category, was, now).
    difference = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True, help_text="Why a correction was published.")
    sha256 = models.CharField(max_length=64, help_text="Of the figures' canonical JSON, for citing.")

    class Meta:
        ordering = ["unit", "quarter", "version"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "quarter", "version"], name="transparency_one_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="transparency_version_positive"),
            models.CheckConstraint(
                condition=models.Q(version=1) | ~models.Q(note=""), name="transparency_correction_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.quarter} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise FrozenReport("a published quarterly report never changes: publish a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise FrozenReport("a published quarterly report is never deleted")
