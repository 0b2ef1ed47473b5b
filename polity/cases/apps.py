from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "polity.cases"
    label = "cases"
    verbose_name = "Complaints, discipline and objections"

    def ready(self) -> None:
        from polity.cases.actions import case_people
        from polity.cases.files import install
        from polity.members.picker import register_scope

        register_scope("cases", case_people)  # whom case forms may name (the person picker)

        install()  # a rolled-back transaction deletes the evidence files it wrote (polity/cases/files.py)
