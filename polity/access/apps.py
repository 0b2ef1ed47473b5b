from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "polity.access"
    label = "access"
