from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "polity.outbox"
    label = "outbox"
    verbose_name = "Outbox and delivery"
