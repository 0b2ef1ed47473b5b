from django.db import models


class ScheduledRun(models.Model):
    """When each periodic job was last enqueued. A conditional update on it claims a run, so several
    schedulers (one per host) never enqueue the same job twice in one period."""

    name = models.CharField(max_length=80, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
