from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "polity.cases"
    label = "cases"
    verbose_name = "Complaints, discipline and objections"

    def ready(self) -> None:
        from polity.cases.files import install

        install()  # a rolled-back transaction deletes the evidence files it wrote (polity/cases/files.py)
