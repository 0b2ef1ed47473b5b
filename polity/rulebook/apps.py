from django.apps import AppConfig


class RulebookConfig(AppConfig):
    name = "polity.rulebook"
    label = "rulebook"

    def ready(self) -> None:
        # Validated at start: a bad rulebook stops the process with file, key and reason.
        from polity.rulebook.loader import get_rulebook

        get_rulebook()
