from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "polity.audit"
    label = "audit"
    verbose_name = "Access log"
