from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "polity.elections"
    label = "elections"
    verbose_name = "Elections"

    def ready(self) -> None:
        from polity.elections.people import election_people
        from polity.members.picker import register_scope

        register_scope("elections", election_people)  # whom election forms may name (the person picker)
