from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "polity.cases"
    label = "cases"
    verbose_name = "Complaints, discipline and objections"
