from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "polity.elections"
    label = "elections"
    verbose_name = "Elections"
