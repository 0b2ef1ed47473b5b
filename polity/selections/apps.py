from django.apps import AppConfig


class SelectionsConfig(AppConfig):
    name = "polity.selections"
    label = "selections"
    verbose_name = "Candidate selections"

    def ready(self) -> None:
        from polity.members.picker import register_scope
        from polity.selections.people import selection_people

        register_scope("selections", selection_people)  # whom selection forms may name (the person picker)
