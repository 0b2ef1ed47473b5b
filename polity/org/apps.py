from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "polity.org"
    label = "org"
    verbose_name = "Organisation"
