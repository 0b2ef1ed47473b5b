from django.apps import AppConfig


class SelectionsConfig(AppConfig):
    name = "polity.selections"
    label = "selections"
    verbose_name = "Candidate selections"
