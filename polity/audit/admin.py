"""The access log in Django's admin: readable by staff, never added to, changed or deleted."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from polity.audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("seq", "occurred_at", "actor_label", "verb", "purpose", "object_type", "object_id")
    list_filter = ("verb",)
    search_fields = ("actor_label", "verb", "object_id")
    ordering = ("-seq",)
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
